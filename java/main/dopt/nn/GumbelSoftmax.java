package dopt.nn;

import dopt.random.Rng;

/**
 * The Gumbel-Softmax (Concrete) relaxation of a categorical sample (Jang, Gu and Poole 2017;
 * Maddison, Mnih and Teh 2017): {@code s = softmax((l + g) / τ)} with {@code g_j = −log(−log U_j)},
 * {@code U_j ~ U(0, 1)}. Sparse-CBM (Semenov et al. 2024) passes concept activations through it so
 * that few concepts carry the sample; the reference code calls PyTorch's
 * {@code F.gumbel_softmax(logits, tau, hard=False)} (github.com/Andron00e/SparseCBM,
 * bottlenecks/cbm.py, {@code gumbel_contrastive_loss}). As τ → 0 with the noise held at zero, s
 * tends to the one-hot of the argmax; at τ = 1 without noise it is the plain softmax.
 *
 * <p>All methods act on the {@code n} entries starting at {@code off} of flat arrays, write into
 * caller buffers and allocate nothing.
 */
public final class GumbelSoftmax {
    private GumbelSoftmax() { }

    /** Fills {@code g[off..off+n)} with standard Gumbel noise −log(−log U), U drawn away from 0 and 1. */
    public static void noise(Rng rng, float[] g, int off, int n) {
        for (int j = 0; j < n; j++) {
            double u = rng.nextDouble();
            while (u == 0) u = rng.nextDouble(); // the reference redraws zeros too; 1 cannot occur (53-bit draw < 1)
            g[off + j] = (float) -Math.log(-Math.log(u));
        }
    }

    /**
     * {@code s = softmax((l + g) / τ)} over {@code n} entries; {@code g} may be null (no noise, the
     * evaluation-time relaxation).
     */
    public static void forward(float[] l, float[] g, int off, int n, double tau, float[] s, int sOff) {
        if (!(tau > 0) || !Double.isFinite(tau)) throw new IllegalArgumentException("temperature tau must be positive and finite, got " + tau);
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            double v = (l[off + j] + (g == null ? 0 : g[off + j])) / tau;
            if (v > max) max = v;
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            double e = Math.exp((l[off + j] + (g == null ? 0 : g[off + j])) / tau - max);
            s[sOff + j] = (float) e;
            sum += e;
        }
        for (int j = 0; j < n; j++) s[sOff + j] = (float) (s[sOff + j] / sum);
    }

    /**
     * Adds to {@code gl} the gradient with respect to the logits, given the output {@code s} and the
     * gradient {@code gs} with respect to it: ∂L/∂l_j = (1/τ)·s_j·(gs_j − Σ_k s_k gs_k) (the softmax
     * Jacobian, scaled by 1/τ; the additive noise has unit derivative).
     */
    public static void backwardAdd(float[] s, float[] gs, int off, int n, double tau, float[] gl, int glOff) {
        double dot = 0;
        for (int j = 0; j < n; j++) dot += (double) s[off + j] * gs[off + j];
        for (int j = 0; j < n; j++) gl[glOff + j] += (float) (s[off + j] * (gs[off + j] - dot) / tau);
    }
}
