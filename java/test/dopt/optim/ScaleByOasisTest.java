package dopt.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleByOasisTest {

    /** f(w) = ½ Σ h_j w_j²: the Hessian is diag(h), so z ⊙ Hz = h exactly for every Rademacher z. */
    private static HessianVectorOracle diagonal(float[] h) {
        return (v, out) -> {
            for (int j = 0; j < h.length; j++) out[0][j] = h[j] * v[0][j];
        };
    }

    @Test
    void onADiagonalQuadraticTheDirectionIsTheNewtonStep() {
        float[] h = {4f, 0.5f, -2f, 1e-6f};
        Param w = new Param("w", Param.Role.MATRIX, 4);
        float[] g = w.grad();
        ScaleByOasis oasis = new ScaleByOasis(0.9, 1e-3, diagonal(h), 7);
        oasis.init(List.of(w), new StateTree(), "optim");
        for (long step = 1; step <= 3; step++) {
            g[0] = 8f; g[1] = 1f; g[2] = 4f; g[3] = 1f;
            oasis.update(List.of(w), step);
            // D = h from the first step on (D_1 = v_1 and later mixes of equal values); |D| truncated at α = 1e-3
            assertArrayEquals(new float[] {2f, 2f, 2f, 1000f}, g, 1e-4f, "step " + step);
        }
    }

    @Test
    void theHutchinsonEstimateAveragesTheOffDiagonalTermsAway() {
        // H = [[2, 1], [1, 2]]: z ⊙ Hz = (2 + z0 z1, 2 + z0 z1), whose mean over z is the diagonal (2, 2)
        HessianVectorOracle h = (v, out) -> {
            out[0][0] = 2 * v[0][0] + v[0][1];
            out[0][1] = v[0][0] + 2 * v[0][1];
        };
        Param w = new Param("w", Param.Role.MATRIX, 2);
        StateTree tree = new StateTree();
        ScaleByOasis oasis = new ScaleByOasis(0.999, 1e-3, h, 11);
        oasis.init(List.of(w), tree, "optim");
        for (long step = 1; step <= 3000; step++) oasis.update(List.of(w), step);
        float[] d = tree.floats("optim/nu/w");
        assertEquals(2.0, d[0], 0.15);
        assertEquals(d[0], d[1], 0.0, "both coordinates see the same z0·z1 term");
    }

    @Test
    void theRademacherDrawsResumeFromTheTree() {
        float[] h = {1f, 1f};
        float[][] seen = new float[2][];
        HessianVectorOracle record = (v, out) -> seen[0] = v[0].clone();
        Param w = new Param("w", Param.Role.MATRIX, 2);
        StateTree a = new StateTree();
        ScaleByOasis first = new ScaleByOasis(0.9, 1e-3, record, 5);
        first.init(List.of(w), a, "o");
        first.update(List.of(w), 1);
        StateTree saved = new StateTree();
        saved.putLongs("o/rng", a.longs("o/rng").clone());
        saved.putFloats("o/nu/w", a.floats("o/nu/w").clone(), 2);
        first.update(List.of(w), 2);
        float[] expected = seen[0];
        ScaleByOasis resumed = new ScaleByOasis(0.9, 1e-3, record, 5);
        StateTree b = new StateTree();
        resumed.init(List.of(w), b, "o");
        b.restoreFrom(saved);
        resumed.update(List.of(w), 2);
        assertArrayEquals(expected, seen[0]);
        assertThrows(IllegalArgumentException.class, () -> new ScaleByOasis(1.0, 1e-3, diagonal(h), 1));
        assertThrows(IllegalArgumentException.class, () -> new ScaleByOasis(0.9, 0, diagonal(h), 1));
    }
}
