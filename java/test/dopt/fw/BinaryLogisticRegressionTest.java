package dopt.fw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dopt.data.Dataset;
import org.junit.jupiter.api.Test;

class BinaryLogisticRegressionTest {

    private static final Dataset THREE = new Dataset("three", new float[] {1, 2, -1, 0.5f, 0.25f, -3}, new int[] {1, 0, 1}, 3, 2, 2);

    @Test
    void atZeroTheLossIsLog2AndEachGradientIsMinusHalfTheSignedRow() {
        BinaryLogisticRegression f = new BinaryLogisticRegression(THREE);
        float[] zero = new float[2];
        assertEquals(Math.log(2), f.loss(zero), 1e-12);
        float[] g = new float[2];
        f.addComponentGradient(1, zero, 1, g); // b = −1, a = (−1, 0.5): ∇ = +½ a
        assertEquals(-0.5, g[0], 1e-7);
        assertEquals(0.25, g[1], 1e-7);
        double[] full = new double[2];
        f.fullGradient(zero, full); // −½ (a₀ − a₁ + a₂)/3 = −½ (2.25, −1.5)/3
        assertEquals(-0.375, full[0], 1e-12);
        assertEquals(0.25, full[1], 1e-12);
    }

    @Test
    void theGradientMatchesCentralDifferencesOfTheLossAndTheMeanOfTheComponents() {
        BinaryLogisticRegression f = new BinaryLogisticRegression(THREE);
        float[] x = {0.75f, -1.25f};
        double[] full = new double[2];
        f.fullGradient(x, full);
        float[] sum = new float[2];
        for (int i = 0; i < 3; i++) f.addComponentGradient(i, x, 1.0 / 3, sum);
        float h = 0x1p-10f;
        for (int j = 0; j < 2; j++) {
            float[] up = x.clone(), down = x.clone();
            up[j] += h;
            down[j] -= h;
            double fd = (f.loss(up) - f.loss(down)) / (2 * h);
            assertEquals(fd, full[j], 1e-6, "coordinate " + j);
            assertEquals(full[j], sum[j], 1e-6, "mean of components, coordinate " + j);
        }
    }

    @Test
    void hugeMarginsStayFinite() {
        BinaryLogisticRegression f = new BinaryLogisticRegression(THREE);
        float[] far = {1e4f, -1e4f};
        double loss = f.loss(far);
        assertEquals(true, Double.isFinite(loss) && loss > 0, "loss " + loss);
    }

    @Test
    void moreThanTwoClassesAreRejected() {
        Dataset three = new Dataset("c3", new float[] {1, 2}, new int[] {0, 2}, 2, 1, 3);
        assertThrows(IllegalArgumentException.class, () -> new BinaryLogisticRegression(three));
    }
}
