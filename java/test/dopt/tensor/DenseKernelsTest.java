package dopt.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The element-wise kernels and the loss of {@link Dense}; the products are in {@link DenseTest}. */
class DenseKernelsTest {

    @Test
    void addRowVectorAddsTheVectorToEveryRowAndSumRowsGivesColumnSums() {
        float[] x = {1, 2, 3, 4, 5, 6}; // 2×3
        Dense.addRowVector(x, new float[] {10, 20, 30}, 2, 3);
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, x);
        float[] sums = {99, 99, 99, 99}; // overwritten, and the element past n untouched
        Dense.sumRows(x, sums, 2, 3);
        assertArrayEquals(new float[] {25, 47, 69, 99}, sums);
    }

    @Test
    void reluZeroesNegativesAndItsBackwardMasksWhereTheActivationIsZero() {
        float[] a = {-2, 0, 3, -0.5f, 7};
        Dense.relu(a, 4); // the fifth element is outside len and stays
        assertArrayEquals(new float[] {0, 0, 3, 0, 7}, a);
        float[] g = {1, 1, 1, 1, 1};
        Dense.reluBackward(a, g, 5);
        // the subgradient at 0 is taken as 0, as PyTorch does
        assertArrayEquals(new float[] {0, 0, 1, 0, 1}, g);
    }

    @Test
    void argmaxTakesTheFirstOfTiesWithinTheRow() {
        float[] x = {9, 1, 5, 5, 2, 9};
        assertEquals(1, Dense.argmax(x, 1, 4)); // the row {1, 5, 5, 2}: the 9s on either side are outside it
        assertEquals(0, Dense.argmax(x, 2, 3)); // {5, 5, 2}
        assertEquals(0, Dense.argmax(new float[] {-1, -1}, 0, 2));
    }

    /** Logits {0, ln 3}: softmax is exactly {1/4, 3/4}, so the loss for label 0 is ln 4 and for label 1 is ln(4/3). */
    @Test
    void crossEntropyOfAHandCheckableRowAndItsMeanOverTheBatch() {
        float ln3 = (float) Math.log(3);
        float[] logits = {0, ln3, 0, ln3}, grad = new float[4];
        float loss = Dense.softmaxCrossEntropy(logits, new int[] {0, 1}, 2, 2, grad);
        assertEquals((Math.log(4) + Math.log(4.0 / 3)) / 2, loss, 1e-6);
        // (softmax − onehot) / batch
        assertArrayEquals(new float[] {(0.25f - 1) / 2, 0.75f / 2, 0.25f / 2, (0.75f - 1) / 2}, grad, 1e-6f);
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferencesAndANullGradientGivesTheSameLoss() {
        Rng rng = new Rng(21);
        int b = 3, c = 5;
        float[] z = new float[b * c], grad = new float[b * c];
        for (int i = 0; i < z.length; i++) z[i] = (float) (3 * rng.nextGaussian());
        int[] y = {4, 0, 2};
        float loss = Dense.softmaxCrossEntropy(z, y, b, c, grad);
        assertEquals(loss, Dense.softmaxCrossEntropy(z, y, b, c, null));
        for (int i = 0; i < z.length; i++) {
            float keep = z[i], h = 1e-2f;
            z[i] = keep + h;
            double up = Dense.softmaxCrossEntropy(z, y, b, c, null);
            z[i] = keep - h;
            double down = Dense.softmaxCrossEntropy(z, y, b, c, null);
            z[i] = keep;
            // central differences: O(h²) ≈ 1e-4 truncation, float rounding ≈ 1e-7 / h = 1e-5
            assertEquals((up - down) / (2 * h), grad[i], 5e-4, "logit " + i);
        }
    }

    @Test
    void aLabelOutsideTheClassesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Dense.softmaxCrossEntropy(new float[3], new int[] {3}, 1, 3, null));
    }

    /**
     * Single-threaded products allocate nothing once compiled (no scratch arrays; the SIMD
     * dispatch builds its capturing lambda only when it splits rows among threads). Measured over
     * windows, the best one counting, so JIT warm-up cannot make it flaky; the bound covers the
     * probe's own few hundred bytes.
     */
    @Test
    void singleThreadedProductsDoNotAllocate() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int m = 16, k = 24, n = 20;
        float[] a = new float[m * k], b = new float[k * n], out = new float[m * n];
        long best = Long.MAX_VALUE;
        for (int window = 0; window < 50 && best > 2048; window++) {
            long t0 = bean.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 500; i++) {
                Dense.matmul(a, b, out, m, k, n);
                Dense.matmulAT(a, b, out, m, k, n);
                Dense.matmulBT(a, b, out, m, k, n);
            }
            best = Math.min(best, bean.getCurrentThreadAllocatedBytes() - t0);
        }
        assertTrue(best <= 2048, "1500 products allocated " + best + " bytes");
    }
}
