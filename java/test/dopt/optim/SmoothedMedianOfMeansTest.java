package dopt.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.HeavyTailedNoise;
import dopt.random.Rng;
import org.junit.jupiter.api.Test;

/** The smoothed median of means of Puchkin et al. 2024 on hand-checkable and symmetric cases. */
class SmoothedMedianOfMeansTest {

    @Test
    void oneGroupWithoutSmoothingIsTheSampleMean() {
        float[] samples = {1f, 10f, 2f, 20f, 6f, 30f}; // three samples in 2-D
        float[] out = new float[2];
        new SmoothedMedianOfMeans(1, 0, new Rng(1)).estimate(samples, 3, 2, out);
        assertArrayEquals(new float[] {3f, 20f}, out, 1e-6f);
    }

    @Test
    void withoutSmoothingItIsTheCoordinateWiseMedianOfGroupMeans() {
        // 6 samples in 1-D, 3 groups of 2: means 1.5, 100, -3 -> median 1.5; one outlier cannot move it
        float[] samples = {1f, 2f, 0f, 200f, -4f, -2f};
        float[] out = new float[1];
        new SmoothedMedianOfMeans(3, 0, new Rng(1)).estimate(samples, 6, 1, out);
        assertEquals(1.5f, out[0], 1e-6f);
        new SmoothedMedianOfMeans(2, 0, new Rng(1)).estimate(new float[] {1f, 3f, 10f, 20f}, 4, 1, out);
        assertEquals((2f + 15f) / 2, out[0], 1e-6f, "even k: mean of the two middle group means");
    }

    @Test
    void onSymmetricCauchyNoiseTheEstimateConcentratesAtTheCentreWhereTheMeanDoesNot() {
        float[] centre = {2f, -1f, 0.5f};
        int m = 45, d = 3, trials = 400;
        Rng noise = new Rng(11);
        SmoothedMedianOfMeans smom = new SmoothedMedianOfMeans(15, 0.01, new Rng(12));
        SmoothedMedianOfMeans mean = new SmoothedMedianOfMeans(1, 0, new Rng(13));
        float[] samples = new float[m * d], a = new float[d], b = new float[d];
        double[] errSmom = new double[trials], errMean = new double[trials];
        for (int t = 0; t < trials; t++) {
            for (int i = 0; i < m; i++)
                for (int c = 0; c < d; c++) samples[i * d + c] = centre[c] + (float) HeavyTailedNoise.symmetricStable(1.0, noise);
            smom.estimate(samples, m, d, a);
            mean.estimate(samples, m, d, b);
            errSmom[t] = distance(a, centre);
            errMean[t] = distance(b, centre);
        }
        java.util.Arrays.sort(errSmom);
        java.util.Arrays.sort(errMean);
        double q95Smom = errSmom[(int) (0.95 * trials)], q95Mean = errMean[(int) (0.95 * trials)];
        // the mean of Cauchy samples is Cauchy again (95% of |X| below ~12.7 per coordinate); the
        // median of 15 Cauchy group means has standard deviation ≈ π/(2√15) ≈ 0.41 per coordinate,
        // so its 3-D error has median ≈ 0.41·1.54 ≈ 0.63 and 95th percentile ≈ 0.41·2.8 ≈ 1.15
        assertTrue(q95Smom < 1.5, "SMoM 95th percentile error " + q95Smom);
        assertTrue(q95Mean > 5 * q95Smom, "mean 95th percentile error " + q95Mean + " vs SMoM " + q95Smom);
        assertTrue(errSmom[trials / 2] < 0.8, "median error " + errSmom[trials / 2]);
    }

    @Test
    void theSmoothingStreamMakesItDeterministicGivenASeed() {
        float[] samples = new float[20 * 4];
        Rng r = new Rng(3);
        for (int i = 0; i < samples.length; i++) samples[i] = (float) r.nextGaussian();
        float[] a = new float[4], b = new float[4], c = new float[4];
        new SmoothedMedianOfMeans(5, 0.1, new Rng(9)).estimate(samples, 20, 4, a);
        new SmoothedMedianOfMeans(5, 0.1, new Rng(9)).estimate(samples, 20, 4, b);
        new SmoothedMedianOfMeans(5, 0.1, new Rng(10)).estimate(samples, 20, 4, c);
        assertArrayEquals(a, b, 0f);
        assertTrue(a[0] != c[0], "another smoothing seed gives another estimate");
    }

    @Test
    void badShapesAndParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SmoothedMedianOfMeans(0, 0, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> new SmoothedMedianOfMeans(3, -1, new Rng(1)));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new SmoothedMedianOfMeans(3, 0, new Rng(1)).estimate(new float[10], 5, 2, new float[2]));
        assertTrue(e.getMessage().contains("5 samples"), e.getMessage());
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        return Math.sqrt(s);
    }
}
