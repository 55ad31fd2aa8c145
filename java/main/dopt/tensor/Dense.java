package dopt.tensor;

/**
 * Dense kernels on flat row-major {@code float[]} (EJML's convention: shapes passed explicitly,
 * results written into caller-supplied outputs, nothing allocated).
 *
 * <p>The matrix products run on {@link VectorGemm} (explicit SIMD) when the JVM was started with
 * {@code --add-modules=jdk.incubator.vector} (the launcher, the tests and the benchmarks do so),
 * else on the plain loops below; {@link #simd()} says which. With {@link #setThreads} &gt; 1 the
 * output rows are split among that many threads.
 */
public final class Dense {
    private Dense() { }

    private static final boolean SIMD = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static volatile int threads = 1;
    private static java.util.concurrent.ForkJoinPool pool;

    /** True when the matrix products use the Vector API. */
    public static boolean simd() { return SIMD; }

    /** Threads for the matrix products (1 = the calling thread only). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1: " + n);
        if (n > 1 && (pool == null || pool.getParallelism() != n)) {
            if (pool != null) pool.shutdown();
            pool = new java.util.concurrent.ForkJoinPool(n);
        }
        threads = n;
    }

    public static int threads() { return threads; }

    @FunctionalInterface
    private interface RowKernel { void rows(int i0, int i1); }

    /**
     * True when {@link #split} would run on the calling thread alone. Tested before building the
     * capturing lambda, which would otherwise be allocated on every product (about 40 bytes each,
     * 330 bytes per MLP training step) even single-threaded.
     */
    private static boolean serial(int m) { return Math.min(threads, m / 8) <= 1; }

    /** Runs {@code kernel} over rows [0, m) in up to {@link #threads()} contiguous blocks of 4-row multiples. */
    private static void split(int m, RowKernel kernel) {
        int t = Math.min(threads, Math.max(1, m / 8));
        if (t <= 1) {
            kernel.rows(0, m);
            return;
        }
        int per = ((m + t - 1) / t + 3) & ~3;
        java.util.concurrent.ForkJoinTask<?>[] tasks = new java.util.concurrent.ForkJoinTask<?>[t];
        int n = 0;
        for (int i0 = 0; i0 < m; i0 += per) {
            int a = i0, b = Math.min(m, i0 + per);
            tasks[n++] = pool.submit(() -> kernel.rows(a, b));
        }
        for (int i = 0; i < n; i++) tasks[i].join();
    }

    /** out[m×n] = a[m×k] · b[k×n]. */
    public static void matmul(float[] a, float[] b, float[] out, int m, int k, int n) {
        if (SIMD) {
            if (serial(m)) VectorGemm.matmul(a, b, out, m, k, n, 0, m);
            else split(m, (i0, i1) -> VectorGemm.matmul(a, b, out, m, k, n, i0, i1));
            return;
        }
        ScalarGemm.matmul(a, b, out, m, k, n);
    }

    /** out[m×n] = aᵀ · b with a stored [k×m] and b [k×n] (weight gradients: Xᵀ·dY). */
    public static void matmulAT(float[] a, float[] b, float[] out, int m, int k, int n) {
        if (SIMD) {
            if (serial(m)) VectorGemm.matmulAT(a, b, out, m, k, n, 0, m);
            else split(m, (i0, i1) -> VectorGemm.matmulAT(a, b, out, m, k, n, i0, i1));
            return;
        }
        ScalarGemm.matmulAT(a, b, out, m, k, n);
    }

    /** out[m×n] = a[m×k] · bᵀ with b stored [n×k] (a linear layer's forward pass: X·Wᵀ). */
    public static void matmulBT(float[] a, float[] b, float[] out, int m, int k, int n) {
        if (SIMD) {
            if (serial(m)) VectorGemm.matmulBT(a, b, out, m, k, n, 0, m);
            else split(m, (i0, i1) -> VectorGemm.matmulBT(a, b, out, m, k, n, i0, i1));
            return;
        }
        ScalarGemm.matmulBT(a, b, out, m, k, n);
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
