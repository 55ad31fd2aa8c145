package dopt.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Adam's moments at a basis refresh ({@link Projector#transport}, {@link ProjectedAdam.Moments}):
 * projecting them into the new basis does not depend on the signs of the basis's columns, keeping
 * them does.
 */
class MomentTransportTest {

    /** An orthonormal dim×r basis (row-major, columns = vectors) from Gaussian columns and Gram–Schmidt. */
    private static float[] basis(int dim, int r, long seed) {
        Projector p = new Projector(dim >= r ? dim : r, dim, r, new float[dim * r]);
        // right side (m >= n): the basis is n×r with n = dim
        p.refresh(Projector.Kind.RANDOM, null, new Rng(seed));
        return p.basisCopy();
    }

    private static float[] flipColumn(float[] b, int dim, int r, int col) {
        float[] f = b.clone();
        for (int i = 0; i < dim; i++) f[i * r + col] = -f[i * r + col];
        return f;
    }

    private static float[] random(int len, long seed, boolean positive) {
        Rng rng = new Rng(seed);
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) (positive ? Math.abs(rng.nextGaussian()) : rng.nextGaussian());
        return x;
    }

    @Test
    void projectedMomentsDoNotDependOnTheSignsOfTheNewColumns() {
        int m = 7, n = 5, r = 3; // right side: moments are m×r coordinates in the n×r basis
        float[] old = basis(n, r, 1), fresh = basis(n, r, 2), flipped = flipColumn(fresh, n, r, 1);
        float[] mu = random(m * r, 3, false), nu = random(m * r, 4, true);
        float[] mu1 = mu.clone(), nu1 = nu.clone(), mu2 = mu.clone(), nu2 = nu.clone();
        Projector a = new Projector(m, n, r, fresh), b = new Projector(m, n, r, flipped);
        a.transport(old, mu1, nu1);
        b.transport(old, mu2, nu2);
        float[] lifted1 = new float[m * n], lifted2 = new float[m * n];
        a.projectBack(mu1, lifted1);
        b.projectBack(mu2, lifted2);
        for (int i = 0; i < m * n; i++) assertEquals(lifted1[i], lifted2[i], 1e-5f, "first moment in parameter space, entry " + i);
        for (int i = 0; i < m * r; i++) assertEquals(nu1[i], nu2[i], 1e-5f, "second moment, entry " + i);
        for (float v : nu1) assertTrue(v >= 0, "a variance stays non-negative");
    }

    @Test
    void aRefreshToTheSameBasisLeavesProjectedMomentsAsTheyWere() {
        int m = 3, n = 6, r = 2; // left side (m < n): moments are r×n coordinates in the m×r basis
        float[] same = basis(m, r, 5);
        float[] mu = random(r * n, 6, false), nu = random(r * n, 7, true);
        float[] mu1 = mu.clone(), nu1 = nu.clone();
        new Projector(m, n, r, same.clone()).transport(same, mu1, nu1);
        for (int i = 0; i < r * n; i++) {
            assertEquals(mu[i], mu1[i], 1e-5f);
            assertEquals(nu[i], nu1[i], 1e-5f);
        }
    }

    @Test
    void keptMomentsChangeTheStepWhenTheSvdFlipsAColumn() {
        // the reason for PROJECT: kept coordinates mean the opposite direction under a flipped column
        int m = 7, n = 5, r = 3;
        float[] fresh = basis(n, r, 2), flipped = flipColumn(fresh, n, r, 1);
        float[] mu = random(m * r, 3, false);
        float[] lifted1 = new float[m * n], lifted2 = new float[m * n];
        new Projector(m, n, r, fresh).projectBack(mu, lifted1);
        new Projector(m, n, r, flipped).projectBack(mu, lifted2);
        double diff = 0;
        for (int i = 0; i < m * n; i++) diff = Math.max(diff, Math.abs(lifted1[i] - lifted2[i]));
        assertTrue(diff > 0.1, "kept moments lifted through a sign-flipped basis differ by " + diff);
    }

    @Test
    void galoreWithProjectedMomentsKeepsTheStepCounterAndTrains() {
        Param w = new Param("w", Param.Role.MATRIX, 6, 4);
        ProjectedAdam g = ProjectedAdam.galore(2, 2, 1.0, 0.9, 0.999, 1e-8, ProjectedAdam.Moments.PROJECT);
        StateTree state = new StateTree();
        g.init(List.of(w), state, "g");
        Rng rng = new Rng(9);
        for (int s = 1; s <= 5; s++) {
            for (int i = 0; i < w.grad().length; i++) w.grad()[i] = (float) rng.nextGaussian();
            g.update(List.of(w), s);
            for (float v : w.grad()) assertTrue(Float.isFinite(v));
        }
        assertEquals(5, state.longs("g/count")[0], "the bias-correction counter continues across refreshes");
    }
}
