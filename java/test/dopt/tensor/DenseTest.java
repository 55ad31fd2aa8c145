package dopt.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    interface Product { void run(float[] a, float[] b, float[] out, int m, int k, int n); }

    /** Each product against a double-precision triple loop; k up to 100 keeps float error below 1e-4 relative. */
    private static void checkAll(Product mm, Product at, Product bt) {
        Rng rng = new Rng(3);
        for (int[] s : new int[][] {{7, 13, 5}, {1, 1, 1}, {9, 33, 37}, {16, 64, 32}, {5, 100, 70}}) {
            int m = s[0], k = s[1], n = s[2];
            float[] a = random(rng, m * k), b = random(rng, k * n), out = new float[m * n];
            mm.run(a, b, out, m, k, n);
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) assertEquals(naive(a, false, b, false, m, k, n, i, j), out[i * n + j], 1e-4 * k);
            at.run(a, b, out, m, k, n); // a read as [k×m]
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) assertEquals(naive(a, true, b, false, m, k, n, i, j), out[i * n + j], 1e-4 * k);
            bt.run(a, b, out, m, k, n); // b read as [n×k]
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) assertEquals(naive(a, false, b, true, m, k, n, i, j), out[i * n + j], 1e-4 * k);
        }
    }

    @Test
    void theScalarProductsMatchTheTripleLoopOnOddSizes() {
        checkAll(ScalarGemm::matmul, ScalarGemm::matmulAT, ScalarGemm::matmulBT);
    }

    @Test
    void theSimdProductsMatchTheTripleLoopOnOddSizes() {
        assertTrue(Dense.simd(), "tests run with --add-modules=jdk.incubator.vector (pom argLine)");
        checkAll(Dense::matmul, Dense::matmulAT, Dense::matmulBT);
    }

    @Test
    void splittingRowsAmongThreadsGivesTheSameBits() {
        Rng rng = new Rng(8);
        int m = 67, k = 50, n = 41;
        float[] a = random(rng, m * k), b = random(rng, k * n), one = new float[m * n], two = new float[m * n];
        Dense.matmul(a, b, one, m, k, n);
        Dense.setThreads(2);
        try {
            Dense.matmul(a, b, two, m, k, n);
        } finally {
            Dense.setThreads(1);
        }
        for (int i = 0; i < one.length; i++) assertEquals(Float.floatToRawIntBits(one[i]), Float.floatToRawIntBits(two[i]));
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
