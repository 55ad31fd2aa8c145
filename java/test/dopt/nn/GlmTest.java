package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import org.junit.jupiter.api.Test;

/** {@link LogisticRegression} and {@link SoftmaxRegression}: gradients, stability, names, convergence. */
class GlmTest {

    /**
     * Both losses are smooth (no kinks), so every coordinate is compared. h = 1e-2: the truncation
     * error h²·f'''/6 and the rounding of a float loss below 1 (ulp 6e-8, divided by 2h) are each a
     * few 1e-6 here (measured worst: 3e-6 logistic, 6e-6 softmax); atol 5e-5 + 1e-3 relative leaves
     * a ~10× margin, while a wrong formula (a missing 1/batch, a sign, σ(z) − y swapped) is off by
     * O(gradient) ≈ 0.1.
     */
    private static final double H = 1e-2, ATOL = 5e-5, RTOL = 1e-3;

    @Test
    void logisticGradientsMatchCentralDifferences() {
        Rng rng = new Rng(7);
        LogisticRegression m = new LogisticRegression(7, 5, 0.5); // a non-zero start, so z is not 0 everywhere
        m.init(new Rng(8));
        float[] x = GradientCheck.gaussian(rng, 5 * 7);
        GradientCheck.Result r = GradientCheck.run(m, x, new int[] {0, 1, 1, 0, 1}, 5, H, ATOL, RTOL, 100, 0, rng, null);
        assertEquals(8, r.compared());
    }

    @Test
    void softmaxGradientsMatchCentralDifferences() {
        Rng rng = new Rng(7);
        SoftmaxRegression m = new SoftmaxRegression(6, 4, 5, 0.5);
        m.init(new Rng(9));
        float[] x = GradientCheck.gaussian(rng, 5 * 6);
        GradientCheck.Result r = GradientCheck.run(m, x, new int[] {0, 3, 1, 2, 3}, 5, H, ATOL, RTOL, 100, 0, rng, null);
        assertEquals(4 * 6 + 4, r.compared());
    }

    @Test
    void logisticLossIsFiniteAndExactForHugeLogits() {
        LogisticRegression m = new LogisticRegression(1, 2);
        m.init(new Rng(1));
        m.params().get(0).value()[0] = 1000f;          // z = ±1000: exp(1000) overflows a naive form
        float[] x = {1, -1};
        // row 0: z = 1000, label 0 → loss 1000; row 1: z = −1000, label 0 → loss ≈ e^−1000 = 0
        assertEquals(500f, m.forwardBackward(x, new int[] {0, 0}, 2), 1e-3f);
        // dL/dw = Σ (σ(z) − y)·x / 2 = (1·1 + 0·(−1)) / 2
        assertEquals(0.5f, m.params().get(0).grad()[0], 1e-6f);
        assertEquals(0f, m.loss(x, new int[] {1, 0}, 2), 1e-6f);
        assertEquals(1, m.countCorrect(x, new int[] {1, 1}, 2));
    }

    @Test
    void zeroStartGivesLogTwoAndLogKAndNamesFollowNnLinear() {
        LogisticRegression lr = new LogisticRegression(3, 4);
        SoftmaxRegression sr = new SoftmaxRegression(3, 5, 4);
        lr.init(new Rng(1));
        sr.init(new Rng(1));
        float[] x = {1, 2, 3, -1, 0, 4};
        assertEquals(Math.log(2), lr.loss(x, new int[] {1, 0}, 2), 1e-6);
        assertEquals(Math.log(5), sr.loss(x, new int[] {4, 0}, 2), 1e-6);
        assertEquals(2, lr.classes());
        for (Model m : new Model[] {lr, sr}) {
            Param w = m.params().get(0), b = m.params().get(1);
            assertEquals("fc.weight", w.name());
            assertEquals(Param.Role.HEAD, w.role());
            assertEquals(3, w.cols());
            assertEquals("fc.bias", b.name());
            assertEquals(Param.Role.BIAS, b.role());
            assertEquals(m.classes() == 2 ? 1 : 5, w.rows());
        }
    }

    @Test
    void logisticRejectsLabelsOtherThanZeroOrOneAndOversizedBatches() {
        LogisticRegression m = new LogisticRegression(2, 2);
        m.init(new Rng(1));
        assertThrows(IllegalArgumentException.class, () -> m.loss(new float[4], new int[] {0, 2}, 2));
        assertThrows(IllegalArgumentException.class, () -> m.loss(new float[6], new int[3], 3));
    }

    /** Synthetic: two Gaussian blobs in 5-D at ±1 with σ 0.4 — linearly separable with margin. */
    @Test
    void logisticRegressionFitsASyntheticSeparableSet() {
        Rng rng = new Rng(3);
        int n = 100, d = 5;
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < d; j++) x[i * d + j] = (float) (rng.nextGaussian() * 0.4 + (y[i] == 1 ? 1 : -1));
        }
        LogisticRegression m = new LogisticRegression(d, n);
        m.init(new Rng(4));
        float first = m.forwardBackward(x, y, n);
        for (int it = 0; it < 200; it++) {
            m.forwardBackward(x, y, n);
            for (Param p : m.params()) for (int j = 0; j < p.size(); j++) p.value()[j] -= 1.0f * p.grad()[j];
        }
        float last = m.loss(x, y, n);
        // separable data: the loss keeps falling towards 0 as ‖w‖ grows (Soudry et al. 2018)
        assertEquals((float) Math.log(2), first, 1e-6f);
        assertTrue(last < 0.01f, "loss " + first + " -> " + last);
        assertEquals(n, m.countCorrect(x, y, n));
    }

    /** Synthetic: three Gaussian blobs in 4-D around orthogonal centres. */
    @Test
    void softmaxRegressionFitsASyntheticThreeClassSet() {
        Rng rng = new Rng(5);
        int n = 90, d = 4, k = 3;
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % k;
            for (int j = 0; j < d; j++) x[i * d + j] = (float) (rng.nextGaussian() * 0.3 + (j == y[i] ? 2 : 0));
        }
        SoftmaxRegression m = new SoftmaxRegression(d, k, n);
        m.init(new Rng(6));
        float first = m.forwardBackward(x, y, n);
        for (int it = 0; it < 200; it++) {
            m.forwardBackward(x, y, n);
            for (Param p : m.params()) for (int j = 0; j < p.size(); j++) p.value()[j] -= 0.5f * p.grad()[j];
        }
        float last = m.loss(x, y, n);
        assertTrue(first > 1.09 && last < 0.05, "loss " + first + " -> " + last);
        assertEquals(n, m.countCorrect(x, y, n));
        // zero start and plain gradient steps keep the class rows summing to zero (the redundant direction)
        float[] w = m.params().get(0).value();
        for (int j = 0; j < d; j++) assertEquals(0f, w[j] + w[d + j] + w[2 * d + j], 1e-4f);
    }
}
