package dopt.tensor;

/**
 * The matrix products of {@link Dense} as plain loops (loop orders chosen so the JIT can vectorise
 * the inner loop where it is a saxpy): used when the Vector API is not available, and as the
 * reference the SIMD kernels are tested against.
 */
final class ScalarGemm {
    private ScalarGemm() { }

    static void matmul(float[] a, float[] b, float[] out, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int oi = i * n;
            for (int j = 0; j < n; j++) out[oi + j] = 0f;
            for (int p = 0; p < k; p++) {
                float aip = a[i * k + p];
                if (aip == 0f) continue;
                int bp = p * n;
                for (int j = 0; j < n; j++) out[oi + j] += aip * b[bp + j];
            }
        }
    }

    static void matmulAT(float[] a, float[] b, float[] out, int m, int k, int n) {
        java.util.Arrays.fill(out, 0, m * n, 0f);
        for (int p = 0; p < k; p++) {
            int ap = p * m, bp = p * n;
            for (int i = 0; i < m; i++) {
                float api = a[ap + i];
                if (api == 0f) continue;
                int oi = i * n;
                for (int j = 0; j < n; j++) out[oi + j] += api * b[bp + j];
            }
        }
    }

    static void matmulBT(float[] a, float[] b, float[] out, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int ai = i * k;
            for (int j = 0; j < n; j++) {
                int bj = j * k;
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                int p = 0;
                for (; p + 3 < k; p += 4) {
                    s0 += a[ai + p] * b[bj + p];
                    s1 += a[ai + p + 1] * b[bj + p + 1];
                    s2 += a[ai + p + 2] * b[bj + p + 2];
                    s3 += a[ai + p + 3] * b[bj + p + 3];
                }
                for (; p < k; p++) s0 += a[ai + p] * b[bj + p];
                out[i * n + j] = (s0 + s1) + (s2 + s3);
            }
        }
    }
}
