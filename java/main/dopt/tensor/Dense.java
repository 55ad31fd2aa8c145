package dopt.tensor;

/**
 * Dense kernels on flat row-major {@code float[]} (EJML's convention: shapes passed explicitly,
 * results written into caller-supplied outputs, nothing allocated). Single-threaded; the [ENGINE]
 * issue brings blocked multithreaded versions behind the same calls.
 */
public final class Dense {
    private Dense() { }

    /** out[m×n] = a[m×k] · b[k×n]. */
    public static void matmul(float[] a, float[] b, float[] out, int m, int k, int n) {
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

    /** out[m×n] = aᵀ · b with a stored [k×m] and b [k×n] (weight gradients: Xᵀ·dY). */
    public static void matmulAT(float[] a, float[] b, float[] out, int m, int k, int n) {
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

    /** out[m×n] = a[m×k] · bᵀ with b stored [n×k] (a linear layer's forward pass: X·Wᵀ). */
    public static void matmulBT(float[] a, float[] b, float[] out, int m, int k, int n) {
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

    /** x[m×n] += v[n] on every row. */
    public static void addRowVector(float[] x, float[] v, int m, int n) {
        for (int i = 0; i < m; i++) {
            int o = i * n;
            for (int j = 0; j < n; j++) x[o + j] += v[j];
        }
    }

    /** out[n] = column sums of x[m×n] (bias gradients). */
    public static void sumRows(float[] x, float[] out, int m, int n) {
        java.util.Arrays.fill(out, 0, n, 0f);
        for (int i = 0; i < m; i++) {
            int o = i * n;
            for (int j = 0; j < n; j++) out[j] += x[o + j];
        }
    }

    /** In place max(x, 0) over the first {@code len} elements. */
    public static void relu(float[] x, int len) {
        for (int i = 0; i < len; i++) if (x[i] < 0f) x[i] = 0f;
    }

    /** grad ← grad · [activation &gt; 0], given the post-ReLU activation. */
    public static void reluBackward(float[] activation, float[] grad, int len) {
        for (int i = 0; i < len; i++) if (activation[i] <= 0f) grad[i] = 0f;
    }

    /**
     * Mean softmax cross-entropy of {@code logits[batch×classes]} against integer labels; writes
     * d(mean loss)/d(logits) = (softmax − onehot)/batch into {@code grad} unless it is null.
     * Stable: the row maximum is subtracted before exponentiating.
     */
    public static float softmaxCrossEntropy(float[] logits, int[] labels, int batch, int classes, float[] grad) {
        double total = 0;
        float invB = 1f / batch;
        for (int i = 0; i < batch; i++) {
            int o = i * classes;
            float max = logits[o];
            for (int c = 1; c < classes; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
            double logSum = Math.log(sum) + max;
            int y = labels[i];
            if (y < 0 || y >= classes) throw new IllegalArgumentException("label " + y + " outside 0.." + (classes - 1));
            total += logSum - logits[o + y];
            if (grad != null) {
                for (int c = 0; c < classes; c++) grad[o + c] = (float) Math.exp(logits[o + c] - logSum) * invB;
                grad[o + y] -= invB;
            }
        }
        return (float) (total / batch);
    }

    /** Index of the largest of {@code x[off, off+n)} (first one on ties). */
    public static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (x[off + j] > x[off + best]) best = j;
        return best;
    }
}
