package dopt.optim;

import static dopt.optim.NamedOptimizers.optimizer;
import static dopt.optim.NamedOptimizers.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FRUGAL and GaLore on matrices small enough to work out by hand. */
class ProjectedAdamTest {

    private static Param matrix(int m, int n, float... values) {
        Param p = new Param("w", Param.Role.MATRIX, m, n);
        System.arraycopy(values, 0, p.value(), 0, values.length);
        return p;
    }



    @Test
    void frugalWithZeroBudgetIsSignSgdAtTheStateFreeStep() {
        Param p = matrix(2, 3, 1, 1, 1, 1, 1, 1);
        Optimizer o = optimizer("frugal", Map.of("lr", 0.1, "lr_free", 0.01, "rho", 0.0), p);
        step(o, p, 1, 5, -2, 0, 0.5f, -7, 3);
        float[] expect = {0.99f, 1.01f, 1f, 0.99f, 1.01f, 0.99f};
        for (int i = 0; i < 6; i++) assertEquals(expect[i], p.value()[i], 1e-7f);
    }

    @Test
    void frugalWithFullBudgetOnADiagonalGradientIsAdam() {
        // rank 2 of 2: the SVD basis spans everything, the residual is 0, and Adam's first step is lr·sign(g)
        Param p = matrix(2, 2, 0, 0, 0, 0);
        Optimizer o = optimizer("frugal", Map.of("lr", 0.1, "rho", 1.0, "state_free", "sgd"), p);
        step(o, p, 1, 3, 0, 0, -2);
        assertEquals(-0.1f, p.value()[0], 1e-6f);
        assertEquals(0f, p.value()[1], 1e-6f);
        assertEquals(0f, p.value()[2], 1e-6f);
        assertEquals(0.1f, p.value()[3], 1e-6f);
    }

    @Test
    void galoreProjectsOntoTheTopSingularDirectionAndScales() {
        // g = [[3,4],[0,0]] has rank 1 with right singular vector v = (3,4)/5: low = g·v = (5, 0)ᵀ, Adam's
        // first step is sign → (1, 0)ᵀ, mapped back: (1,0)ᵀ·vᵀ = [[0.6, 0.8],[0, 0]], times α·lr
        Param p = matrix(2, 2, 0, 0, 0, 0);
        Optimizer o = optimizer("galore", Map.of("lr", 0.1, "rank", 1, "scale", 0.25), p);
        step(o, p, 1, 3, 4, 0, 0);
        assertEquals(-0.025f * 0.6f, p.value()[0], 1e-6f);
        assertEquals(-0.025f * 0.8f, p.value()[1], 1e-6f);
        assertEquals(0f, p.value()[2], 1e-6f);
        assertEquals(0f, p.value()[3], 1e-6f);
    }

    @Test
    void frugalRestartsAdamAtEachRefreshWhileGaloreKeepsItsMoments() {
        // two steps along +e, then one along −e right after a refresh (update gap 2): a restarted Adam
        // moves exactly lr against the new gradient; GaLore's remembered momentum still points the old way
        Param f = matrix(1, 1, 0), g = matrix(1, 1, 0);
        Optimizer frugal = optimizer("frugal", Map.of("lr", 0.1, "rho", 1.0, "update_gap", 2, "state_free", "sgd"), f);
        Optimizer galore = optimizer("galore", Map.of("lr", 0.1, "rank", 1, "update_gap", 2, "scale", 1.0), g);
        step(frugal, f, 1, 1f);
        step(frugal, f, 2, 1f);
        step(galore, g, 1, 1f);
        step(galore, g, 2, 1f);
        assertEquals(-0.2f, f.value()[0], 1e-6f);
        assertEquals(-0.2f, g.value()[0], 1e-6f);
        step(frugal, f, 3, -1f);
        step(galore, g, 3, -1f);
        assertEquals(-0.1f, f.value()[0], 1e-6f);
        double m = 0.9 * 0.19 - 0.1, v = 0.999 * (0.999 * 0.001 + 0.001) + 0.001; // GaLore: moments after 3 steps
        double adam = (m / (1 - Math.pow(0.9, 3))) / (Math.sqrt(v / (1 - Math.pow(0.999, 3))) + 1e-8);
        assertEquals(-0.2 - 0.1 * adam, g.value()[0], 1e-5);
    }

    @Test
    void randomBasesAreOrthonormal() {
        int m = 9, n = 6, r = 3;
        float[] basis = new float[Projector.basisSize(m, n, r)];
        new Projector(m, n, r, basis).refresh(Projector.Kind.RANDOM, null, new Rng(4));
        for (int a = 0; a < r; a++)
            for (int b = 0; b < r; b++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += basis[i * r + a] * basis[i * r + b];
                assertEquals(a == b ? 1 : 0, dot, 1e-5);
            }
    }

    @Test
    void stateBytesCountTheSubspaceOnly() {
        // 8×8 at ρ = 0.25: rank 2 on the right side; basis 8×2, moments 2 × 8×2, plus 2 counters and the RNG
        ProjectedAdam f = ProjectedAdam.frugal(0.25, Projector.Kind.RANDOM, 10, ProjectedAdam.FreeRule.SIGN, 1, 0.9, 0.999, 1e-8, 1);
        f.init(List.of(new Param("w", Param.Role.MATRIX, 8, 8)), new StateTree(), "f");
        assertEquals(4L * (16 + 32) + 16 + 32, f.stateBytes());
        assertEquals(8L * 64 + 8, new AdamStateProbe().bytes(64), "full Adam on the same matrix for comparison");
    }

    @Test
    void onlyMatricesAreProjected() {
        ProjectedAdam f = ProjectedAdam.galore(2, 10, 0.25, 0.9, 0.999, 1e-8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.init(List.of(new Param("b", Param.Role.BIAS, 8)), new StateTree(), "f"));
        assertEquals(true, e.getMessage().contains("Partition"), e.getMessage());
    }

    private static final class AdamStateProbe {
        long bytes(int n) {
            ScaleByAdam a = new ScaleByAdam(0.9, 0.999, 1e-8);
            a.init(List.of(new Param("w", Param.Role.MATRIX, n)), new StateTree(), "a");
            return a.stateBytes();
        }
    }

    @Test
    void unknownNamesAndKeysListTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamedRules.build("adamx", Map.of()));
        assertEquals(true, e.getMessage().contains("frugal"));
        e = assertThrows(IllegalArgumentException.class, () -> NamedRules.build("adam", Map.of("betas", 1)));
        assertEquals(true, e.getMessage().contains("beta1"), e.getMessage());
    }
}
