package dopt.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class DenseTest {
    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    /** a[i][p] with a stored either [m×k] or transposed [k×m]. */
    private static double naive(float[] a, boolean at, float[] b, boolean bt, int m, int k, int n, int i, int j) {
        double s = 0;
        for (int p = 0; p < k; p++) s += (double) (at ? a[p * m + i] : a[i * k + p]) * (bt ? b[j * k + p] : b[p * n + j]);
        return s;
    }

    @Test
    void theThreeProductsMatchTheTripleLoopOnOddSizes() {
        Rng rng = new Rng(3);
        int m = 7, k = 13, n = 5;
        float[] a = random(rng, m * k), b = random(rng, k * n), out = new float[m * n];
        Dense.matmul(a, b, out, m, k, n);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) assertEquals(naive(a, false, b, false, m, k, n, i, j), out[i * n + j], 1e-4);
        Dense.matmulAT(a, b, out, m, k, n); // a read as [k×m]
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) assertEquals(naive(a, true, b, false, m, k, n, i, j), out[i * n + j], 1e-4);
        Dense.matmulBT(a, b, out, m, k, n); // b read as [n×k]
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) assertEquals(naive(a, false, b, true, m, k, n, i, j), out[i * n + j], 1e-4);
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogClassesAndItsGradientIsSoftmaxMinusOneHot() {
        float[] logits = {0f, 0f, 0f, 0f, 5f, 5f, 5f, 5f};
        float[] grad = new float[8];
        float loss = Dense.softmaxCrossEntropy(logits, new int[] {1, 3}, 2, 4, grad);
        assertEquals(Math.log(4), loss, 1e-6);
        assertEquals(0.25f / 2, grad[0], 1e-7f);
        assertEquals((0.25f - 1f) / 2, grad[1], 1e-7f);
        assertEquals((0.25f - 1f) / 2, grad[7], 1e-7f);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        float[] logits = {1000f, 0f};
        assertEquals(0f, Dense.softmaxCrossEntropy(logits, new int[] {0}, 1, 2, null), 1e-6f);
        assertEquals(1000f, Dense.softmaxCrossEntropy(logits, new int[] {1}, 1, 2, null), 1e-3f);
    }
}
