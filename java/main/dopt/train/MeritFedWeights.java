package dopt.train;

/**
 * MeritFed's aggregation weights (Tupitsa, Borodich, Gasnikov, Rogozin, Gorbunov 2024, "Federated
 * learning can find friends that are advantageous", Algorithm 1): for the target client's loss f and
 * the clients' deltas Δⱼ = xⱼ − x (pseudo-gradients gⱼ = −Δⱼ) the weights w on the simplex minimise
 * φ(w) = f(x + η·Σⱼ wⱼΔⱼ), the target's loss after the aggregated server step of size η, by
 * exponentiated-gradient mirror descent with step γ:
 * <pre>
 *   ∂φ/∂wⱼ = η·⟨∇f(y), Δⱼ⟩ = −η·⟨∇f(y), gⱼ⟩,   y = x + η·Σᵢ wᵢΔᵢ
 *   vⱼ = wⱼ·exp(−γ·∂φ/∂wⱼ) / Σᵢ wᵢ·exp(−γ·∂φ/∂wᵢ)
 *   w ← t/(t+1)·w + 1/(t+1)·v,   t = 0, 1, …, T − 1
 * </pre>
 * The last line is how the authors average over the inner iterations: a running mean that is also the
 * point the next step starts from (github.com/nazya/MeritFed, codes/optimizers/single_thread.py,
 * class MeritFed: {@code weights = weights * t/(t+1) + vec/sum(vec)/(t+1)}; their exponent is
 * {@code mdlr * lr * <grad f, g_j>}, the same sign). Their paper-scale hack of dividing γ by 10
 * after 400 rounds is left out. w persists from round to round (they start it uniform once), so a
 * client found unhelpful stays near zero. The exponent is shifted by its maximum before exp, which
 * the normalisation cancels, so that no step overflows.
 */
final class MeritFedWeights {
    /** The gradient of the target's loss at a point, written into {@code out}. */
    interface TargetGradient {
        void at(float[] y, float[] out);
    }

    private final double[] w;
    private final float lr;
    private final double mdLr;
    private final int steps, n;
    private final double[] acc, exponent, v;
    private final float[] y, grad;

    /** {@code w}: the live weights (a state leaf, on the simplex); {@code lr}: η, the server step; {@code n}: the model's size. */
    MeritFedWeights(double[] w, float lr, double mdLr, int steps, int n) {
        this.w = w;
        this.lr = lr;
        this.mdLr = mdLr;
        this.steps = steps;
        this.n = n;
        this.acc = new double[n];
        this.exponent = new double[w.length];
        this.v = new double[w.length];
        this.y = new float[n];
        this.grad = new float[n];
    }

    double[] weights() { return w; }

    /** T steps of mirror descent from the current w for deltas {@code rows[j·n + k]} (client j) around {@code x}. */
    void solve(float[] x, float[] rows, TargetGradient target) {
        for (int t = 0; t < steps; t++) {
            combine(rows, y);
            for (int k = 0; k < n; k++) y[k] = x[k] + lr * y[k];
            target.at(y, grad);
            step(t, rows);
        }
    }

    /** One step t of the averaged exponentiated gradient, with ∇f(y) in {@code grad}. */
    private void step(int t, float[] rows) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < w.length; j++) {
            double dot = 0;
            for (int k = 0, o = j * n; k < n; k++) dot += (double) grad[k] * rows[o + k];
            exponent[j] = -mdLr * lr * dot;
            // a weight already at zero stays there whatever its exponent; it must not set the shift
            if (w[j] > 0 && exponent[j] > max) max = exponent[j];
        }
        double z = 0;
        // 0 · exp(large) would be NaN: a zero weight contributes nothing
        for (int j = 0; j < w.length; j++) z += v[j] = w[j] > 0 ? w[j] * Math.exp(exponent[j] - max) : 0;
        for (int j = 0; j < w.length; j++) w[j] = w[j] * t / (t + 1) + v[j] / z / (t + 1);
    }

    /** {@code out[k] = Σⱼ wⱼ·rows[j·n + k]}, the aggregated delta at the current weights. */
    void combine(float[] rows, float[] out) {
        java.util.Arrays.fill(acc, 0);
        for (int j = 0; j < w.length; j++) {
            double wj = w[j];
            for (int k = 0, o = j * n; k < n; k++) acc[k] += wj * rows[o + k];
        }
        for (int k = 0; k < n; k++) out[k] = (float) acc[k];
    }
}
