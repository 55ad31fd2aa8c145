package dopt.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class CompressorsTest {
    private static final float[] X = {0.5f, -3f, 0f, 2f, -0.1f, 3f, 1f, -2.5f};

    @Test
    void topKKeepsTheLargestMagnitudesAndCountsIndexPlusValueBytes() {
        float[] out = new float[8];
        long bytes = new TopK(0.25).compress(X, out, 8, null);
        assertArrayEquals(new float[] {0, -3f, 0, 0, 0, 3f, 0, 0}, out);
        assertEquals(16, bytes);
        assertEquals(0.25, new TopK(0.25).alpha(8));
    }

    @Test
    void topKBreaksTiesByIndexAndKeepsExactlyK() {
        float[] x = {1, 1, 1, 1}, out = new float[4];
        new TopK(0.5).compress(x, out, 4, null);
        assertArrayEquals(new float[] {1, 1, 0, 0}, out);
    }

    @Test
    void scaledSignUsesTheMeanMagnitudeAndOneBitPerEntry() {
        float[] out = new float[8];
        long bytes = new ScaledSign().compress(X, out, 8, null);
        float s = (0.5f + 3 + 0 + 2 + 0.1f + 3 + 1 + 2.5f) / 8;
        assertArrayEquals(new float[] {s, -s, s, s, -s, s, s, -s}, out, 1e-6f); // sign(0) = +1: one bit per entry
        assertEquals(1 + 4, bytes);
    }

    /** Monte Carlo: the mean of many compressions approaches x, and the variance stays within ω‖x‖². */
    private static void assertUnbiasedWithinOmega(Compressor c) {
        int n = X.length, trials = 20000;
        double[] mean = new double[n];
        double var = 0, sq = 0;
        for (float v : X) sq += v * v;
        float[] out = new float[n];
        Rng rng = new Rng(1);
        for (int t = 0; t < trials; t++) {
            c.compress(X, out, n, rng);
            for (int i = 0; i < n; i++) {
                mean[i] += out[i] / trials;
                var += (out[i] - X[i]) * (out[i] - X[i]) / trials;
            }
        }
        // four standard errors of a mean whose variance is at most ω‖x‖²
        double tolerance = 4 * Math.sqrt(c.omega(n) * sq / trials);
        for (int i = 0; i < n; i++) assertEquals(X[i], mean[i], tolerance, c.name() + " unbiased at " + i);
        assertTrue(var <= c.omega(n) * sq * 1.05, c.name() + ": variance " + var + " within ω‖x‖² = " + c.omega(n) * sq);
    }

    @Test
    void randKAndQsgdAreUnbiasedWithBoundedVariance() {
        assertUnbiasedWithinOmega(new RandK(0.25));
        assertUnbiasedWithinOmega(new Qsgd(2));
        assertUnbiasedWithinOmega(new Qsgd(8));
        assertEquals(3.0, new RandK(0.25).omega(8));
    }

    @Test
    void qsgdWireSizeIsTheNormPlusSignAndLevelBits() {
        // s = 4 levels need 3 bits (values 0..4) + 1 sign bit: 8 entries × 4 bits = 4 bytes, + 4 for the norm
        assertEquals(8, new Qsgd(4).compress(X, new float[8], 8, new Rng(2)));
    }
}
