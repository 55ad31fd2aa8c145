package dopt.backend;

import dopt.compress.TopK;
import dopt.optim.AdamKernel;
import dopt.optim.ScaleByKate;
import dopt.tensor.Backend;
import dopt.tensor.Dense;
import dopt.tensor.Sign;
import dopt.tensor.Softmax;

/**
 * The reference backend: buffers are {@code float[]} and every operation delegates to the kernels
 * the CPU engine uses ({@link Dense}, {@link Softmax}, {@link AdamKernel}, {@link ScaleByKate#step},
 * {@link TopK#kthLargest}, {@link Sign}) or is the loop of the optimizer rule it stands for, with the same
 * roundings. The fused steps run the rule's passes one after another over a reused scratch array.
 */
public final class CpuBackend implements Backend {

    /** A buffer of this backend. */
    static final class Array implements Buffer {
        final float[] data;
        private boolean closed;

        Array(int n) { data = new float[n]; }

        @Override public long length() { return data.length; }
        @Override public void close() { closed = true; }
    }

    private float[] scratch = new float[0], scratch2 = new float[0];

    @Override public String name() { return "cpu"; }
    @Override public boolean onDevice() { return false; }

    @Override
    public Buffer allocate(long n) {
        if (n < 0 || n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("a CPU buffer holds 0 to 2^31-9 floats: " + n);
        return new Array((int) n);
    }

    /** The array behind a buffer of this backend. */
    static float[] data(Buffer b) {
        if (!(b instanceof Array a)) throw new IllegalArgumentException("not a CPU buffer: " + b);
        if (a.closed) throw new IllegalStateException("CPU buffer used after close");
        return a.data;
    }

    private static int index(long i) { return Math.toIntExact(i); }

    @Override
    public void upload(float[] src, int srcOff, Buffer dst, long dstOff, int n) {
        System.arraycopy(src, srcOff, data(dst), index(dstOff), n);
    }

    @Override
    public void download(Buffer src, long srcOff, float[] dst, int dstOff, int n) {
        System.arraycopy(data(src), index(srcOff), dst, dstOff, n);
    }

    @Override public void copy(Buffer src, Buffer dst, long n) { System.arraycopy(data(src), 0, data(dst), 0, index(n)); }
    @Override public void fill(Buffer x, long n, float value) { java.util.Arrays.fill(data(x), 0, index(n), value); }
    @Override public void synchronize() { }

    @Override public void matmul(Buffer a, Buffer b, Buffer c, int m, int k, int n) { Dense.matmul(data(a), data(b), data(c), m, k, n); }
    @Override public void matmulAT(Buffer a, Buffer b, Buffer c, int m, int k, int n) { Dense.matmulAT(data(a), data(b), data(c), m, k, n); }
    @Override public void matmulBT(Buffer a, Buffer b, Buffer c, int m, int k, int n) { Dense.matmulBT(data(a), data(b), data(c), m, k, n); }

    @Override
    public void axpy(long n, float a, Buffer x, Buffer y) {
        float[] xs = data(x), ys = data(y);
        for (int i = 0, len = index(n); i < len; i++) ys[i] = a * xs[i] + ys[i];
    }

    @Override
    public void scale(long n, float a, Buffer x) {
        float[] xs = data(x);
        for (int i = 0, len = index(n); i < len; i++) xs[i] = a * xs[i];
    }

    @Override
    public void mul(long n, Buffer x, Buffer y, Buffer out) {
        float[] xs = data(x), ys = data(y), o = data(out);
        for (int i = 0, len = index(n); i < len; i++) o[i] = xs[i] * ys[i];
    }

    @Override
    public double sum(Buffer x, long n) {
        float[] xs = data(x);
        double s = 0;
        for (int i = 0, len = index(n); i < len; i++) s += xs[i];
        return s;
    }

    @Override
    public double squaredNorm(Buffer x, long n) {
        float[] xs = data(x);
        double s = 0;
        for (int i = 0, len = index(n); i < len; i++) s += (double) xs[i] * xs[i];
        return s;
    }

    @Override
    public double clipByGlobalNorm(Buffer x, long n, double maxNorm) {
        double sq = squaredNorm(x, n);
        float s = Backend.clipFactor(sq, maxNorm);
        if (s != 1f) scale(n, s, x);
        return Math.sqrt(sq);
    }

    @Override
    public void softmaxRows(Buffer x, int rows, int cols) {
        float[] xs = data(x);
        for (int r = 0; r < rows; r++) Softmax.rowInPlace(xs, r * cols, cols);
    }

    @Override
    public float softmaxCrossEntropy(Buffer logits, int[] labels, int batch, int classes, Buffer grad) {
        return Dense.softmaxCrossEntropy(data(logits), labels, batch, classes, grad == null ? null : data(grad));
    }

    @Override
    public void adamDirection(Buffer g, Buffer m, Buffer v, Buffer out, long n, Adam adam, long t) {
        AdamKernel.step(data(g), data(m), data(v), data(out), index(n), adam.beta1(), adam.beta2(), adam.eps(), t);
    }

    /** d[0, n) ← g·gradScale (ClipByGlobalNorm's pass) in the reused scratch array. */
    private float[] clipped(Buffer g, int n, float gradScale) {
        if (scratch.length < n) scratch = new float[n];
        float[] gs = data(g), d = scratch;
        for (int i = 0; i < n; i++) d[i] = gs[i] * gradScale;
        return d;
    }

    /** AddDecayedWeights then ScaleByLearningRate then Optimizer.step: d += wd·x; x += d·(−lr). */
    private static void decayAndApply(float[] x, float[] d, int n, float weightDecay, float lr) {
        if (weightDecay != 0f) for (int i = 0; i < n; i++) d[i] += weightDecay * x[i];
        float negLr = -lr;
        for (int i = 0; i < n; i++) x[i] += d[i] * negLr;
    }

    @Override
    public void adamStep(Buffer x, Buffer g, Buffer m, Buffer v, long n, Adam adam, long t, float lr, float weightDecay,
                         boolean decoupled, float gradScale) {
        int len = index(n);
        float[] xs = data(x), d = clipped(g, len, gradScale);
        if (!decoupled && weightDecay != 0f) for (int i = 0; i < len; i++) d[i] += weightDecay * xs[i];
        AdamKernel.step(d, data(m), data(v), d, len, adam.beta1(), adam.beta2(), adam.eps(), t);
        decayAndApply(xs, d, len, decoupled ? weightDecay : 0f, lr);
    }

    @Override
    public void signStep(Buffer x, Buffer g, long n, float lr, float gradScale) {
        int len = index(n);
        float[] d = clipped(g, len, gradScale);
        Sign.signum(d, 0, len);
        decayAndApply(data(x), d, len, 0f, lr);
    }

    @Override
    public void frugalStep(Buffer x, Buffer g, Buffer m, Buffer v, long n, long lo, long hi, Adam adam, long t, float lr,
                           float freeScale, float weightDecay, float gradScale) {
        int len = index(n), a = index(lo), b = index(hi);
        if (a < 0 || a > b || b > len) throw new IllegalArgumentException("FRUGAL block [" + lo + ", " + hi + ") is not inside [0, " + n + ")");
        float[] d = clipped(g, len, gradScale);
        Sign.scaledSignum(d, 0, a, freeScale);
        Sign.scaledSignum(d, b, len, freeScale);
        if (scratch2.length < b - a) scratch2 = new float[b - a];
        System.arraycopy(d, a, scratch2, 0, b - a);
        AdamKernel.step(scratch2, data(m), data(v), scratch2, b - a, adam.beta1(), adam.beta2(), adam.eps(), t);
        System.arraycopy(scratch2, 0, d, a, b - a);
        decayAndApply(data(x), d, len, weightDecay, lr);
    }

    @Override
    public void kateStep(Buffer x, Buffer g, Buffer b2, Buffer m2, Buffer etas, long n, float eta, float eps, float lr, float gradScale) {
        int len = index(n);
        float[] d = clipped(g, len, gradScale);
        ScaleByKate.step(d, data(b2), data(m2), etas == null ? null : data(etas), eta, eps, len);
        decayAndApply(data(x), d, len, 0f, lr);
    }

    @Override
    public void topK(Buffer x, int n, int k, int[] indices, float[] values) {
        if (k < 1 || k > n) throw new IllegalArgumentException("top-k needs 1 <= k <= n: k = " + k + ", n = " + n);
        float[] xs = data(x);
        if (scratch.length < n) scratch = new float[n];
        for (int i = 0; i < n; i++) scratch[i] = Math.abs(xs[i]);
        float threshold = TopK.kthLargest(scratch, n, k);
        int above = 0;
        for (int i = 0; i < n; i++) if (Math.abs(xs[i]) > threshold) above++;
        int ties = k - above, w = 0;
        for (int i = 0; i < n; i++) {
            float a = Math.abs(xs[i]);
            if (a > threshold || (a == threshold && ties-- > 0)) {
                indices[w] = i;
                values[w++] = xs[i];
            }
        }
    }

    @Override public void close() { }
}
