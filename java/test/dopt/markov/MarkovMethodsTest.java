package dopt.markov;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class MarkovMethodsTest {

    /** F(x, z) = x − z: the gradient of ½ (x − z)². */
    private static final StochasticOperator PULL_TO_SAMPLE = new StochasticOperator() {
        @Override public int dim() { return 1; }
        @Override public void apply(double[] x, double[] z, double[] out) { out[0] = x[0] - z[0]; }
    };

    /** A chain over one point, z = 3 every step: τ = 1, and every step is hand-checkable. */
    private static MlmcBatchEstimator constantThree() {
        return new MlmcBatchEstimator(new LazyRandomWalk(new double[] {3}, 1, 1, new Rng(0)), PULL_TO_SAMPLE, 1, 1, new Rng(1));
    }

    private static LazyRandomWalk iidWalk(long seed) {
        return LazyRandomWalk.withMixingTime(new double[] {-1, 0, 2}, 1, 1, new Rng(seed));
    }

    @Test
    void sgdWithBatchLimitOneIsPlainSgdOnConsecutiveSamples() {
        MarkovSgd sgd = new MarkovSgd(constantThree(), 0.5, new double[] {1});
        sgd.step();
        assertEquals(2.0, sgd.x()[0], 0); // 1 − 0.5 (1 − 3)
        sgd.step();
        assertEquals(2.5, sgd.x()[0], 0); // 2 − 0.5 (2 − 3)

        MarkovSgd mlmc = new MarkovSgd(new MlmcBatchEstimator(iidWalk(9), PULL_TO_SAMPLE, 1, 1, new Rng(1)), 0.3, new double[] {1});
        LazyRandomWalk replay = iidWalk(9);
        double x = 1;
        double[] z = new double[1];
        for (int k = 0; k < 50; k++) {
            assertEquals(1, mlmc.step());
            replay.next(z);
            x -= 0.3 * (x - z[0]);
            assertEquals(x, mlmc.x()[0], 0);
        }
        assertEquals(50, mlmc.samples());
    }

    @Test
    void extragradientWithBatchLimitOneIsPlainExtragradient() {
        MarkovExtragradient eg = new MarkovExtragradient(constantThree(), 0.5, new double[] {1});
        eg.step();
        assertEquals(2.0, eg.halfStep()[0], 0); // 1 − 0.5 (1 − 3)
        assertEquals(1.5, eg.x()[0], 0);        // 1 − 0.5 (2 − 3)

        MarkovExtragradient mlmc = new MarkovExtragradient(new MlmcBatchEstimator(iidWalk(4), PULL_TO_SAMPLE, 1, 1, new Rng(1)), 0.3, new double[] {1});
        LazyRandomWalk replay = iidWalk(4);
        double x = 1;
        double[] z = new double[1];
        for (int k = 0; k < 50; k++) {
            assertEquals(2, mlmc.step());
            replay.next(z);
            double half = x - 0.3 * (x - z[0]);
            replay.next(z);
            x -= 0.3 * (half - z[0]);
            assertEquals(x, mlmc.x()[0], 0);
        }
    }

    @Test
    void acceleratedStepsFollowThePapersRecursionByHand() {
        // p = 1, theta = 0.5, eta = 2, beta = 0.25, gamma = 0.5, x0 = xf0 = 1, z = 3:
        // k=0: xg = 1, g = −2, xf1 = 2 (an SGD step of p·gamma), x1 = 2·2 + (1 − 2)·1 = 3
        // k=1: xg = 0.5·2 + 0.5·3 = 2.5, g = −0.5, xf2 = 2.75, x2 = 2·2.75 − 2 = 3.5
        MarkovAcceleratedSgd a = new MarkovAcceleratedSgd(constantThree(), 0.5, 0.5, 2, 0.25, 1, new double[] {1});
        a.step();
        assertEquals(2.0, a.x()[0], 0);
        assertEquals(3.0, a.momentum()[0], 0);
        a.step();
        assertEquals(2.75, a.x()[0], 0);
        assertEquals(3.5, a.momentum()[0], 0);
        // p = 0.5: xf1 = 1 − 0.25·(−2) = 1.5, x1 = 2·1.5 + (0.5 − 2)·1 + 0.5·0.75·1 + 0.5·0.25·1 = 2
        MarkovAcceleratedSgd half = new MarkovAcceleratedSgd(constantThree(), 0.5, 0.5, 2, 0.25, 0.5, new double[] {1});
        half.step();
        assertEquals(1.5, half.x()[0], 0);
        assertEquals(2.0, half.momentum()[0], 1e-15);
    }

    @Test
    void theoryMomentaAccelerateOnAnIllConditionedQuadratic() {
        // noise-free chain (the single point 0), f = ½ (0.01 x1² + x2²), gamma = 3/(4L)
        double[] a = {0.01, 1}, xStar = {1, -1};
        double gamma = 0.75;
        MarkovSgd gd = new MarkovSgd(new MlmcBatchEstimator(zeroNoise(), new NoisyQuadraticGradient(a, xStar), 1, 1, new Rng(0)), gamma, new double[] {0, 0});
        MarkovAcceleratedSgd acc = MarkovAcceleratedSgd.withTheoryMomenta(
                new MlmcBatchEstimator(zeroNoise(), new NoisyQuadraticGradient(a, xStar), 1, 1, new Rng(0)), gamma, 0.01, 1, new double[] {0, 0});
        assertTrue(acc.theta() > 0 && acc.theta() < 1, "theta " + acc.theta());
        for (int k = 0; k < 300; k++) { gd.step(); acc.step(); }
        double gdErr = dist2(gd.x(), xStar), accErr = dist2(acc.x(), xStar);
        // GD shrinks the flat coordinate's error by (1 − γμ) = (1 − 0.0075) per step; the stiff one is gone
        assertEquals(Math.pow(1 - 0.0075, 600), gdErr, 1e-6);
        assertTrue(accErr < 1e-3 * gdErr, "accelerated " + accErr + " vs GD " + gdErr);
    }

    @Test
    void extragradientSolvesTheNoiseFreeStronglyMonotoneGame() {
        double[] a = {0, 1, -1, 0.5};
        NoisyBilinearGame game = new NoisyBilinearGame(2, 0.1, a, new double[] {1, 0}, new double[] {0, 1});
        double[] sol = game.solution(), f = new double[4];
        game.apply(sol, new double[4], f);
        for (double v : f) assertEquals(0, v, 1e-12);
        MarkovExtragradient eg = new MarkovExtragradient(new MlmcBatchEstimator(
                new LazyRandomWalk(new double[4], 4, 1, new Rng(0)), game, 1, 1, new Rng(0)), 0.3, new double[4]);
        for (int k = 0; k < 2000; k++) eg.step();
        assertTrue(dist2(eg.x(), sol) < 1e-12, "error " + dist2(eg.x(), sol));
    }

    private static LazyRandomWalk zeroNoise() {
        return new LazyRandomWalk(new double[2], 2, 1, new Rng(0));
    }

    private static double dist2(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        return s;
    }
}
