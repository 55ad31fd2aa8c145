package dopt.tensor;

/**
 * The engine's compute calls that a GPU can take over: device memory, the dense products of
 * {@link Dense}, element-wise operations and reductions, softmax and cross-entropy over rows, the
 * fused optimizer steps, and top-k selection for gradient compression.
 *
 * <p>Implementations: {@code dopt.backend.CpuBackend} (the existing Java kernels; its results are
 * the reference) and {@code dopt.backend.CudaBackend} (our own CUDA kernels through the JCuda
 * driver API); {@code dopt.backend.Backends.select} picks one. Operations on one backend run in
 * call order; results are visible to {@link #download} and the scalar-returning calls.
 *
 * <p>A fused step updates parameters {@code x} and the state in one pass and only reads the
 * gradient {@code g}. It applies, in this order and with the same float roundings as the CPU
 * optimizer chain: the global-norm clip factor {@code gradScale} (1 without clipping,
 * {@link #clipFactor}), the rule's direction, weight decay where the rule has it, then
 * {@code x += direction · (−lr)} — so a fused step equals
 * {@code ClipByGlobalNorm → rule → ScaleByLearningRate → Optimizer.step} bit for bit.
 */
public interface Backend extends AutoCloseable {

    /** Memory of {@code length()} floats owned by one backend (device memory, or a float[] on the CPU). */
    interface Buffer extends AutoCloseable {
        long length();

        /** Frees the memory; using the buffer afterwards is an error. */
        @Override void close();
    }

    /**
     * Adam's hyper-parameters. The per-step coefficients are computed with the expressions of
     * {@code dopt.optim.AdamKernel.step}, so every backend sees the same floats.
     */
    record Adam(float beta1, float beta2, float eps) {
        public Adam {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Adam beta1 must be in [0, 1): " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Adam beta2 must be in [0, 1): " + beta2);
            if (!(eps >= 0)) throw new IllegalArgumentException("Adam eps must be >= 0: " + eps);
        }

        public float c1() { return 1 - beta1; }
        public float c2() { return 1 - beta2; }
        /** 1/(1−β₁ᵗ) as a float. */
        public float stepScale(long t) { return (float) (1 / (1 - Math.pow(beta1, t))); }
        /** √(1−β₂ᵗ) as a float. */
        public float bc2Sqrt(long t) { return (float) Math.sqrt(1 - Math.pow(beta2, t)); }
    }

    /** Short description, e.g. "cpu" or "cuda:0 (NVIDIA H200, sm_90)". */
    String name();

    /** True when buffers live in device memory (every upload and download is a transfer). */
    boolean onDevice();

    /** A zero-filled buffer of {@code n} floats. */
    Buffer allocate(long n);

    /** dst[dstOff, dstOff+n) ← src[srcOff, srcOff+n). */
    void upload(float[] src, int srcOff, Buffer dst, long dstOff, int n);

    /** dst[dstOff, dstOff+n) ← src[srcOff, srcOff+n). */
    void download(Buffer src, long srcOff, float[] dst, int dstOff, int n);

    default void upload(float[] src, Buffer dst) { upload(src, 0, dst, 0, src.length); }

    default void download(Buffer src, float[] dst) { download(src, 0, dst, 0, dst.length); }

    /** dst[0, n) ← src[0, n) on the device (the CUDA backend uses its own copy kernel). */
    void copy(Buffer src, Buffer dst, long n);

    void fill(Buffer x, long n, float value);

    /** Waits until every queued operation has finished (for timing). */
    void synchronize();

    /** c[m×n] = a[m×k] · b[k×n], as {@link Dense#matmul}. */
    void matmul(Buffer a, Buffer b, Buffer c, int m, int k, int n);

    /** c[m×n] = aᵀ · b with a stored [k×m], as {@link Dense#matmulAT}. */
    void matmulAT(Buffer a, Buffer b, Buffer c, int m, int k, int n);

    /** c[m×n] = a · bᵀ with b stored [n×k], as {@link Dense#matmulBT}. */
    void matmulBT(Buffer a, Buffer b, Buffer c, int m, int k, int n);

    /** y ← a·x + y over [0, n) (two roundings: a·x, then the sum). */
    void axpy(long n, float a, Buffer x, Buffer y);

    /** x ← a·x. */
    void scale(long n, float a, Buffer x);

    /** out ← x ⊙ y; out may be x or y. */
    void mul(long n, Buffer x, Buffer y, Buffer out);

    /** Σ x[0, n), accumulated in double. */
    double sum(Buffer x, long n);

    /** Σ x² over [0, n), accumulated in double. */
    double squaredNorm(Buffer x, long n);

    /**
     * Global-norm clipping in place, as {@code dopt.optim.ClipByGlobalNorm}: x ← x·min(1, maxNorm/‖x‖)
     * with the factor rounded to float. Returns ‖x‖ before clipping.
     */
    double clipByGlobalNorm(Buffer x, long n, double maxNorm);

    /** The float factor {@code ClipByGlobalNorm} multiplies by: 1 when ‖g‖ ≤ maxNorm, else maxNorm/‖g‖. */
    static float clipFactor(double squaredNorm, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clip max norm must be positive: " + maxNorm);
        double norm = Math.sqrt(squaredNorm);
        return norm <= maxNorm ? 1f : (float) (maxNorm / norm);
    }

    /** Each of {@code rows} rows of x[rows×cols] ← its softmax, as {@link Softmax#rowInPlace}. */
    void softmaxRows(Buffer x, int rows, int cols);

    /**
     * Mean softmax cross-entropy of logits[batch×classes] against {@code labels}, and its gradient
     * (softmax − onehot)/batch into {@code grad} unless null, as {@link Dense#softmaxCrossEntropy}.
     */
    float softmaxCrossEntropy(Buffer logits, int[] labels, int batch, int classes, Buffer grad);

    /** out ← Adam's direction m̂/(√v̂+ε) of g at step t, m and v updated: {@code AdamKernel.step}; out may be g. */
    void adamDirection(Buffer g, Buffer m, Buffer v, Buffer out, long n, Adam adam, long t);

    /**
     * Fused Adam ({@code decoupled} false: weight decay added to the gradient, as
     * {@code torch.optim.Adam(weight_decay=…)}) or AdamW ({@code decoupled} true: wd·x added to the
     * direction, Loshchilov and Hutter 2019) at step t over x, m, v.
     */
    void adamStep(Buffer x, Buffer g, Buffer m, Buffer v, long n, Adam adam, long t, float lr, float weightDecay,
                  boolean decoupled, float gradScale);

    /** Fused signSGD (Bernstein et al. 2018): x += sign(g·gradScale)·(−lr), sign(0) = 0. */
    void signStep(Buffer x, Buffer g, long n, float lr, float gradScale);

    /**
     * FRUGAL's split update (Zmushko et al. 2024, blocks projector; {@code BlockAdam.frugal}): Adam on
     * the state-full block [lo, hi) with m, v of length hi − lo, freeScale·sign(g) on every other
     * coordinate, then decoupled weight decay and −lr.
     */
    void frugalStep(Buffer x, Buffer g, Buffer m, Buffer v, long n, long lo, long hi, Adam adam, long t, float lr,
                    float freeScale, float weightDecay, float gradScale);

    /**
     * Fused KATE (Choudhury et al. 2024; {@code ScaleByKate}) with accumulators b2, m2 and η from
     * {@code etas} per coordinate when it is not null, else the scalar {@code eta}.
     */
    void kateStep(Buffer x, Buffer g, Buffer b2, Buffer m2, Buffer etas, long n, float eta, float eps, float lr, float gradScale);

    /**
     * The k entries of x[0, n) of largest magnitude, ties taken in index order (the selection of
     * {@code dopt.compress.TopK}), as (index, value) pairs in ascending index order into
     * {@code indices[0, k)} and {@code values[0, k)}. Entries must be finite.
     */
    void topK(Buffer x, int n, int k, int[] indices, float[] values);

    /** Frees what the backend holds (not the buffers it handed out). */
    @Override void close();
}
