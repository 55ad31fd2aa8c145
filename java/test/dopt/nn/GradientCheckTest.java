package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The checker itself must fail on a wrong gradient, with either stencil: otherwise every model test above it proves nothing. */
class GradientCheckTest {

    /** f(w) = Σ (w_i − c_i)² / 2 over 300 coordinates (more than ALL_UP_TO, so a subset is drawn). */
    private static Param quadratic(float skew) {
        Param w = new Param("w", Param.Role.MATRIX, 300);
        for (int i = 0; i < 300; i++) {
            w.value()[i] = 0.3f + 0.01f * i;
            w.grad()[i] = w.value()[i] - 0.5f + (i == 7 ? skew : 0f);
        }
        return w;
    }

    private static double loss(Param w) {
        double s = 0;
        for (float v : w.value()) s += (v - 0.5) * (v - 0.5) / 2;
        return s;
    }

    @Test
    void richardsonAcceptsTheTrueGradientAndRejectsAWrongOne() {
        Param good = quadratic(0f);
        assertEquals(GradientCheck.SUBSET, GradientCheck.check(List.of(good), () -> loss(good), new Rng(1)));
        Param bad = quadratic(0.05f);
        // coordinate 7 must be among those drawn: check every coordinate by making the tensor small enough
        Param small = new Param("w", Param.Role.MATRIX, 8);
        for (int i = 0; i < 8; i++) {
            small.value()[i] = bad.value()[i];
            small.grad()[i] = bad.grad()[i];
        }
        assertThrows(AssertionFailedError.class, () -> GradientCheck.check(List.of(small), () -> loss(small), new Rng(1)));
    }

    @Test
    void theCentralStencilRejectsAWrongBackwardOnARealModel() {
        Mlp mlp = new Mlp(4, new int[] {3}, 2, 2);
        mlp.init(new Rng(5));
        Batch.Examples batch = new Batch.Examples(GradientCheck.gaussian(new Rng(6), 8), new int[] {0, 1}, 2);
        GradientCheck.run(mlp, batch, 1e-3, 3e-4, 1e-2, 1000, 0.2, new Rng(7), null);
        Network<Batch.Examples> broken = new Network<>() {
            @Override public List<Param> params() { return mlp.params(); }
            @Override public void init(Rng rng) { mlp.init(rng); }
            @Override public float loss(Batch.Examples b) { return mlp.loss(b); }
            @Override public float forwardBackward(Batch.Examples b) {
                float l = mlp.forwardBackward(b);
                mlp.params().get(0).grad()[0] += 0.05f; // a stray term in one weight gradient
                return l;
            }
        };
        assertThrows(AssertionFailedError.class, () -> GradientCheck.run(broken, batch, 1e-3, 3e-4, 1e-2, 1000, 0.2, new Rng(7), null));
    }
}
