package dopt.tensor;

/**
 * Softmax over one row segment of a flat array, forward and backward, in place (nothing allocated).
 * The row maximum is subtracted before exponentiating so that no exp overflows (the standard
 * stabilisation; e.g. Goodfellow, Bengio and Courville 2016, §4.1).
 */
public final class Softmax {
    private Softmax() { }

    /** x[off, off+n) ← softmax(x[off, off+n)). */
    public static void rowInPlace(float[] x, int off, int n) {
        float max = x[off];
        for (int j = 1; j < n; j++) max = Math.max(max, x[off + j]);
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float e = (float) Math.exp(x[off + j] - max);
            x[off + j] = e;
            sum += e;
        }
        float inv = (float) (1 / sum);
        for (int j = 0; j < n; j++) x[off + j] *= inv;
    }

    /**
     * Backward of {@link #rowInPlace}: given the probabilities p and the gradient dp with respect to
     * them, dp ← p ⊙ (dp − ⟨p, dp⟩), the Jacobian diag(p) − p·pᵀ applied to dp.
     */
    public static void rowBackwardInPlace(float[] p, float[] dp, int off, int n) {
        double dot = 0;
        for (int j = 0; j < n; j++) dot += (double) p[off + j] * dp[off + j];
        float d = (float) dot;
        for (int j = 0; j < n; j++) dp[off + j] = p[off + j] * (dp[off + j] - d);
    }
}
