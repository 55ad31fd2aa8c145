package dopt.markov;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class MlmcBatchEstimatorTest {

    /** A nonlinear operator, so that the telescoping is not an artefact of linearity: F(x, z) = z² + x z. */
    private static final StochasticOperator SQUARE_PLUS_LINEAR = new StochasticOperator() {
        @Override public int dim() { return 1; }
        @Override public void apply(double[] x, double[] z, double[] out) { out[0] = z[0] * z[0] + x[0] * z[0]; }
    };

    private static LazyRandomWalk tinyWalk(long seed) {
        return new LazyRandomWalk(new double[] {-1, 0.5, 2}, 1, 0.4, new Rng(seed));
    }

    @Test
    void averagingOverTheLevelEqualsTheDeepestBatchMeanOnTheSamePathExactly() {
        for (int m : new int[] {2, 6, 8}) {
            for (int b : new int[] {1, 3}) {
                int l = 31 - Integer.numberOfLeadingZeros(m);
                double[] x = {0.7};
                double expected = 0, out[] = new double[1];
                // E_J[g] = sum_{j<=L} 2^-j g(J=j) + P(J > L) g(J > L), every level on the same chain path
                for (int j = 1; j <= l + 1; j++) {
                    new MlmcBatchEstimator(tinyWalk(11), SQUARE_PLUS_LINEAR, b, m, new Rng(0)).estimateAtLevel(x, j, out);
                    expected += (j <= l ? Math.pow(2, -j) : Math.pow(2, -l)) * out[0];
                }
                LazyRandomWalk walk = tinyWalk(11);
                double deepMean = 0;
                double[] z = new double[1], f = new double[1];
                int n = b << l;
                for (int i = 0; i < n; i++) {
                    walk.next(z);
                    SQUARE_PLUS_LINEAR.apply(x, z, f);
                    deepMean += f[0] / n;
                }
                assertEquals(deepMean, expected, 1e-12, "M=" + m + " B=" + b);
            }
        }
    }

    @Test
    void overManyDrawsTheEstimatorHasTheBiasOfTheDeepBatchNotOfOneSample() {
        // AR(1) started off its stationary law at z0 = 5, rho = 0.8; F(0, z) = -z. Sample t has mean 5 rho^t,
        // so one sample is biased by -4, the mean of the first 8 by -5 * mean_t 0.8^t = -2.0806.
        double rho = 0.8, z0 = 5;
        int m = 8, draws = 40_000;
        StochasticOperator minusZ = new StochasticOperator() {
            @Override public int dim() { return 1; }
            @Override public void apply(double[] x, double[] z, double[] out) { out[0] = x[0] - z[0]; }
        };
        double expected = 0;
        for (int t = 1; t <= m; t++) expected -= z0 * Math.pow(rho, t) / m;
        double sum = 0, sumSq = 0, out[] = new double[1];
        for (int k = 0; k < draws; k++) {
            Ar1Chain chain = new Ar1Chain(1, rho, 1, Rng.derive(3, k)).startAt(new double[] {z0});
            new MlmcBatchEstimator(chain, minusZ, 1, m, Rng.derive(4, k)).estimate(new double[] {0}, out);
            sum += out[0];
            sumSq += out[0] * out[0];
        }
        double mean = sum / draws, se = Math.sqrt((sumSq / draws - mean * mean) / draws);
        assertEquals(-2.0806, expected, 1e-4);
        assertEquals(expected, mean, 4 * se, "standard error " + se);
        assertTrue(Math.abs(mean - (-z0 * rho)) > 20 * se, "far from the one-sample bias");
    }

    @Test
    void expectedSamplesAreLogarithmicInTheBatchLimit() {
        // by hand: M=1 -> B; M=2 -> J=1 (1/2) costs 2B, else B: 1.5B; M=6 -> L=2: 2 + 1/4; M=8 -> 3 + 1/8
        assertEquals(1.0, MlmcBatchEstimator.expectedSamples(1, 1), 0);
        assertEquals(1.5, MlmcBatchEstimator.expectedSamples(1, 2), 0);
        assertEquals(2.25, MlmcBatchEstimator.expectedSamples(1, 6), 0);
        assertEquals(6.25, MlmcBatchEstimator.expectedSamples(2, 8), 0);
        assertEquals(20 + Math.pow(2, -20), MlmcBatchEstimator.expectedSamples(1, 1 << 20), 0);

        MlmcBatchEstimator e = new MlmcBatchEstimator(tinyWalk(1), SQUARE_PLUS_LINEAR, 1, 8, new Rng(2));
        int draws = 20_000;
        double[] x = {0}, out = new double[1];
        for (int k = 0; k < draws; k++) e.estimate(x, out);
        assertEquals(3.125, (double) e.samples() / draws, 0.07);
    }

    @Test
    void levelsFollowTheGeometricLaw() {
        MlmcBatchEstimator e = new MlmcBatchEstimator(tinyWalk(1), SQUARE_PLUS_LINEAR, 1, 4, new Rng(5));
        int draws = 40_000, ones = 0, twos = 0;
        for (int k = 0; k < draws; k++) {
            int j = e.drawLevel();
            assertTrue(j >= 1);
            if (j == 1) ones++;
            if (j == 2) twos++;
        }
        assertEquals(0.5, (double) ones / draws, 0.01);
        assertEquals(0.25, (double) twos / draws, 0.01);
    }

    @Test
    void badHyperParametersAreNamed() {
        var ex = assertThrows(IllegalArgumentException.class, () -> new MlmcBatchEstimator(tinyWalk(1), SQUARE_PLUS_LINEAR, 0, 4, new Rng(1)));
        assertTrue(ex.getMessage().contains("B must be >= 1: 0"));
        ex = assertThrows(IllegalArgumentException.class, () -> new MlmcBatchEstimator(tinyWalk(1), SQUARE_PLUS_LINEAR, 1, 0, new Rng(1)));
        assertTrue(ex.getMessage().contains("M must be >= 1: 0"));
        ex = assertThrows(IllegalArgumentException.class, () -> Ar1Chain.withMixingTime(1, 0.5, 1, new Rng(1)));
        assertTrue(ex.getMessage().contains("tau must be >= 1: 0.5"));
        assertThrows(IllegalArgumentException.class, () -> new LazyRandomWalk(new double[] {1}, 1, Double.NaN, new Rng(1)));
    }
}
