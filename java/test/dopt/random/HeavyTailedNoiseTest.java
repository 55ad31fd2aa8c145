package dopt.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The heavy-tailed samplers against laws with known closed forms. */
class HeavyTailedNoiseTest {
    private static final int N = 40_000;

    private static double fractionAbove(double[] v, double t) {
        int c = 0;
        for (double x : v) if (Math.abs(x) > t) c++;
        return (double) c / v.length;
    }

    private static double[] draw(HeavyTailedNoise.Kind kind, double index, long seed) {
        Rng rng = new Rng(seed);
        double[] v = new double[N];
        for (int i = 0; i < N; i++) v[i] = HeavyTailedNoise.sample(kind, index, rng);
        return v;
    }

    @Test
    void stableWithIndexOneIsCauchyAndWithIndexTwoIsGaussianWithVarianceTwo() {
        // Cauchy: P(|X| > 1) = 1/2, P(|X| > tan(0.45π)) = 0.1
        double[] cauchy = draw(HeavyTailedNoise.Kind.SYMMETRIC_STABLE, 1.0, 1);
        assertEquals(0.5, fractionAbove(cauchy, 1), 0.01);
        assertEquals(0.1, fractionAbove(cauchy, Math.tan(0.45 * Math.PI)), 0.006);
        // α = 2 by the general formula: N(0, 2), P(|X| > √2) = P(|Z| > 1) = 0.3173
        double[] gauss = draw(HeavyTailedNoise.Kind.SYMMETRIC_STABLE, 2.0, 2);
        assertEquals(0.3173, fractionAbove(gauss, Math.sqrt(2)), 0.01);
        double[] stable = draw(HeavyTailedNoise.Kind.SYMMETRIC_STABLE, 1.5, 3);
        int positive = 0;
        for (double x : stable) if (x > 0) positive++;
        assertEquals(0.5, (double) positive / N, 0.01, "symmetric");
    }

    @Test
    void studentTAndParetoHaveTheirKnownTails() {
        // Student-t with ν = 2: P(|T| > t) = 1 − t/√(2 + t²); at t = 2: 1 − 2/√6 = 0.1835
        assertEquals(1 - 2 / Math.sqrt(6), fractionAbove(draw(HeavyTailedNoise.Kind.STUDENT_T, 2.0, 4), 2), 0.008);
        // symmetric Pareto-II: P(|X| > t) = (1 + t)^−α; α = 1.5, t = 3: 4^−1.5 = 0.125
        assertEquals(0.125, fractionAbove(draw(HeavyTailedNoise.Kind.SYMMETRIC_PARETO, 1.5, 5), 3), 0.006);
    }

    @Test
    void aStreamIsFixedByItsSeedAndBadIndicesAreRefused() {
        assertEquals(draw(HeavyTailedNoise.Kind.STUDENT_T, 1.5, 9)[123], draw(HeavyTailedNoise.Kind.STUDENT_T, 1.5, 9)[123], 0);
        assertThrows(IllegalArgumentException.class, () -> HeavyTailedNoise.symmetricStable(2.5, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> HeavyTailedNoise.studentT(0, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> HeavyTailedNoise.symmetricPareto(Double.NaN, new Rng(1)));
    }
}
