package dopt.tensor;

/**
 * Root-mean-square layer normalisation (Zhang and Sennrich 2019, "Root Mean Square Layer
 * Normalization", eq. 4): {@code y = x / rms(x) ⊙ w} with {@code rms(x) = sqrt(mean(x²) + eps)},
 * per row of a flat row-major {@code [rows × dim]} array; no mean subtraction and no bias, as in
 * LLaMA (Touvron et al. 2023, §2.2; Meta's {@code llama/model.py}, {@code RMSNorm}, where eps sits
 * inside the square root). Outputs are caller-supplied; nothing is allocated.
 */
public final class RmsNorm {
    private RmsNorm() { }

    /**
     * out = x · r ⊙ w per row, with r = 1/sqrt(mean(x²) + eps) written to {@code invRms[row]}
     * because the backward pass needs it (recomputing it would cost a pass over x).
     */
    public static void forward(float[] x, float[] w, float[] out, float[] invRms, int rows, int dim, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            // the sum of squares in double: dim can be in the thousands and the result feeds every output
            double ss = 0;
            for (int j = 0; j < dim; j++) ss += (double) x[o + j] * x[o + j];
            float inv = (float) (1 / Math.sqrt(ss / dim + eps));
            invRms[r] = inv;
            for (int j = 0; j < dim; j++) out[o + j] = x[o + j] * inv * w[j];
        }
    }

    /**
     * Backward of {@link #forward}. With x̂ = x·r and g = dOut ⊙ w, differentiating r(x) gives
     * dx = r·(g − x̂·mean(g ⊙ x̂)) and dw = Σ_rows dOut ⊙ x̂.
     *
     * <p>{@code dx} is ADDED to (the caller's residual stream already holds the gradient that
     * bypasses the norm); {@code dw} is overwritten, as Dense's weight-gradient products do.
     */
    public static void backward(float[] x, float[] w, float[] invRms, float[] dOut, float[] dx, float[] dw, int rows, int dim) {
        java.util.Arrays.fill(dw, 0, dim, 0f);
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            float inv = invRms[r];
            double dot = 0;
            for (int j = 0; j < dim; j++) {
                float xh = x[o + j] * inv;
                float g = dOut[o + j] * w[j];
                dot += (double) g * xh;
                dw[j] += dOut[o + j] * xh;
            }
            float mean = (float) (dot / dim);
            for (int j = 0; j < dim; j++) {
                float xh = x[o + j] * inv;
                dx[o + j] += inv * (dOut[o + j] * w[j] - xh * mean);
            }
        }
    }
}
