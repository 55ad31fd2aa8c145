package dopt.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

/** Natural dithering (Horváth et al. 2019): powers-of-two levels, unbiased, ω as in the paper, exact wire size. */
class NaturalDitheringTest {
    private static final float[] X = {0.5f, -3f, 0f, 2f, -0.1f, 3f, 1f, -2.5f};

    @Test
    void everyOutputIsTheNormTimesZeroOrAPowerOfTwoAtLeastTwoToTheOneMinusS() {
        float[] out = new float[8];
        NaturalDithering c = new NaturalDithering(3);
        double sq = 0;
        for (float v : X) sq += (double) v * v;
        float norm = (float) Math.sqrt(sq); // ≈ 5.43
        Rng rng = new Rng(4);
        for (int t = 0; t < 200; t++) {
            c.compress(X, out, 8, rng);
            for (int i = 0; i < 8; i++) {
                float level = Math.abs(out[i]) / norm;
                assertTrue(level == 0f || level == 0.25f || level == 0.5f || level == 1f, "level " + level + " at " + i);
                assertTrue(out[i] == 0f || Math.signum(out[i]) == Math.signum(X[i]), "sign kept at " + i);
            }
            // |x_1|/‖x‖ = 3/5.4 ≈ 0.56 lies between the levels 1/2 and 1: it can only land on one of the two
            assertTrue(Math.abs(out[1]) == norm / 2 || Math.abs(out[1]) == norm);
        }
        // a lone coordinate is exactly its norm: level 1, no randomness
        float[] one = {0f, -7f, 0f}, o = new float[3];
        c.compress(one, o, 3, rng);
        assertEquals(-7f, o[1]);
        assertEquals(0f, o[0]);
    }

    @Test
    void omegaIsTheOneEighthOfNaturalRoundingPlusTheLowestLevelTerm() {
        // d = 8, s = 3, p = 2: t = √8 · 2^-2 = 0.707; ω = 1/8 + t·min(1, t) = 0.125 + 0.5
        assertEquals(0.625, new NaturalDithering(3).omega(8), 1e-12);
        // many levels: only the 1/8 of rounding between neighbouring powers of two is left
        assertEquals(0.125, new NaturalDithering(32).omega(8), 1e-8);
        // p = 1 uses d^(1/1): t = 8 · 2^-3 = 1
        assertEquals(1.125, new NaturalDithering(4, 1).omega(8), 1e-12);
        assertTrue(Double.isNaN(new NaturalDithering(3).alpha(8)));
    }

    /**
     * Monte Carlo over 20 000 draws: each coordinate's mean is within four standard errors
     * (√(ω‖x‖²/trials)) of x, and the mean squared error is within ω‖x‖² (5 % slack for sampling).
     */
    @Test
    void unbiasedWithVarianceWithinOmega() {
        for (NaturalDithering c : new NaturalDithering[] {new NaturalDithering(1), new NaturalDithering(2), new NaturalDithering(3),
                new NaturalDithering(3, 1), new NaturalDithering(2, Double.POSITIVE_INFINITY)}) {
            int n = X.length, trials = 20000;
            double[] mean = new double[n];
            double var = 0, sq = 0;
            for (float v : X) sq += v * v;
            float[] out = new float[n];
            Rng rng = new Rng(1);
            for (int t = 0; t < trials; t++) {
                c.compress(X, out, n, rng);
                for (int i = 0; i < n; i++) {
                    mean[i] += out[i] / (double) trials;
                    var += (out[i] - X[i]) * (double) (out[i] - X[i]) / trials;
                }
            }
            double tolerance = 4 * Math.sqrt(c.omega(n) * sq / trials);
            for (int i = 0; i < n; i++) assertEquals(X[i], mean[i], tolerance, c.name() + " unbiased at " + i);
            assertTrue(var <= c.omega(n) * sq * 1.05, c.name() + ": variance " + var + " within ω‖x‖² = " + c.omega(n) * sq);
            assertTrue(var > 0, c.name() + " is random");
        }
    }

    @Test
    void wireSizeIsTheNormPlusOneSignBitAndTheLevelIndexBitsPerEntry() {
        // s = 3: indices 0..3 need 2 bits, + 1 sign bit = 3 bits; 8 entries = 24 bits = 3 bytes, + 4 for the norm
        assertEquals(7, new NaturalDithering(3).compress(X, new float[8], 8, new Rng(2)));
        // s = 1: {0, 1} in 1 bit + sign: 8 × 2 bits = 2 bytes + 4
        assertEquals(6, new NaturalDithering(1).compress(X, new float[8], 8, new Rng(2)));
        // s = 8: indices 0..8 need 4 bits; 9 entries × 5 bits = 45 bits → 6 bytes + 4
        assertEquals(10, new NaturalDithering(8).wireBytes(9));
    }

    @Test
    void aNonFiniteInputGivesNaNsRatherThanZeros() {
        float[] x = {1f, Float.NaN, 2f}, out = new float[3];
        new NaturalDithering(3).compress(x, out, 3, new Rng(1));
        for (float v : out) assertTrue(Float.isNaN(v), "NaN propagates: " + v);
    }

    @Test
    void badLevelsOrNormsAreRefusedWithTheValue() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NaturalDithering(0)).getMessage().contains(": 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NaturalDithering(33)).getMessage().contains("33"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NaturalDithering(3, 0.5)).getMessage().contains("0.5"));
    }
}
