package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.HeavyTailedNoise;
import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class TailIndexTest {

    @Test
    void hillByHand() {
        // top 2 of {1, 2, 4, 8} over the threshold 2: ln 4 + ln 2 = 3 ln 2, α̂ = 2 / (3 ln 2)
        assertEquals(2 / (3 * Math.log(2)), TailIndex.hill(new double[] {8, 1, 4, 2}, 2), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> TailIndex.hill(new double[] {1, 2}, 2));
    }

    @Test
    void hillRecoversTheIndexOfParetoSamples() {
        for (double alpha : new double[] {1.0, 1.5, 3.0}) {
            Rng r = new Rng(7);
            double[] x = new double[20_000];
            for (int i = 0; i < x.length; i++) x[i] = Math.pow(1 - r.nextDouble(), -1 / alpha); // Pareto(α, x_m = 1)
            double a = TailIndex.hill(x, 2000); // standard error α/√k ≈ 2 %
            assertEquals(alpha, a, 0.08 * alpha, "alpha " + alpha);
        }
    }

    @Test
    void hillSeesStudentTTailsAndNotGaussianOnes() {
        Rng r = new Rng(3);
        double[] t = new double[20_000], g = new double[20_000];
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.abs(HeavyTailedNoise.studentT(2, r));
            g[i] = Math.abs(r.nextGaussian());
        }
        assertEquals(2.0, TailIndex.hill(t, 400), 0.4, "Student-t with ν = 2 has tail index 2");
        assertTrue(TailIndex.hill(g, 400) > 5, "a Gaussian's top 2 % look light-tailed");
    }

    @Test
    void excessKurtosisIsZeroForGaussiansAndThreeForLaplace() {
        Rng r = new Rng(5);
        double[] g = new double[100_000], l = new double[100_000];
        for (int i = 0; i < g.length; i++) {
            g[i] = 2 + 3 * r.nextGaussian();
            double u = r.nextDouble() - 0.5;
            l[i] = -Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
        }
        assertEquals(0, TailIndex.excessKurtosis(g), 0.1);
        assertEquals(3, TailIndex.excessKurtosis(l), 0.3);
        assertEquals(-2, TailIndex.excessKurtosis(new double[] {-1, 1, -1, 1}), 1e-12, "two-point law: m4/m2² = 1");
    }
}
