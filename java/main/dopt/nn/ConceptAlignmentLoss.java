package dopt.nn;

import dopt.random.Rng;

/**
 * The CLIP-style contrastive objective of a concept bottleneck layer: a soft-target cross-entropy
 * between the activation matrix {@code a} (batch B × concepts C) and a nonnegative target matrix
 * {@code t} of the same shape, taken both over concepts (each row: which concepts describe this
 * image) and over the batch (each column: which images show this concept), and averaged:
 *
 * <pre>
 *   L = ½ [ (1/R) Σ_rows i  Σ_j −q_ij log p_ij  +  (1/K) Σ_cols j  Σ_i −r_ij log p'_ij ],
 *   p_i· = softmax_j((a_i· + g_i·)/τ),   q_i· = t_i· / Σ_j t_ij,
 *   p'_·j = softmax_i((a_·j + g'_·j)/τ), r_·j = t_·j / Σ_i t_ij,
 * </pre>
 * where R and K count the rows and columns that have a positive target (the others are skipped).
 *
 * <p>Source (github.com/Andron00e/SparseCBM, bottlenecks/cbm.py): {@code criterion_contrastive}
 * is this with τ = 1, no noise and t = the identity (CLIP's image i ↔ caption i pairing:
 * {@code −diag(log_softmax(logits, dim)).mean()} for dim 0 and 1, averaged); Sparse-CBM's
 * {@code criterion_gumbel} replaces the softmax by {@code F.gumbel_softmax(logits, tau, dim)}
 * (independent noise per direction) and averages −log over <em>every</em> entry, which is this with
 * t = all ones. Where the image's concepts are known (our concept table), t holds them, so the
 * positives are the true concept pairs instead of the diagonal or every pair.
 *
 * <p>Gradient: ∂/∂a_ij of a row term is (p_ij − q_ij)/(τR) (and likewise for columns), since the
 * targets sum to one.
 */
public final class ConceptAlignmentLoss {
    private final double tau;
    private final boolean gumbel;
    private final float[] noise, soft;

    /** {@code tau} the temperature; {@code gumbel} adds fresh Gumbel noise to the logits of each direction. */
    public ConceptAlignmentLoss(int maxBatch, int concepts, double tau, boolean gumbel) {
        if (!(tau > 0) || !Double.isFinite(tau)) throw new IllegalArgumentException("temperature tau must be positive and finite, got " + tau);
        if (maxBatch < 1 || concepts < 1) throw new IllegalArgumentException("maxBatch and concepts must be >= 1, got " + maxBatch + ", " + concepts);
        this.tau = tau;
        this.gumbel = gumbel;
        int m = Math.max(maxBatch, concepts);
        this.noise = new float[m];
        this.soft = new float[m];
    }

    public double tau() { return tau; }

    public boolean gumbel() { return gumbel; }

    /**
     * The loss of {@code a} (row-major B × C) against {@code t}; when {@code grad} is non-null,
     * adds {@code weight}·∂L/∂a into it. {@code rng} supplies the noise (ignored without Gumbel).
     */
    public double apply(float[] a, float[] t, int batch, int concepts, Rng rng, double weight, float[] grad) {
        return 0.5 * (rows(a, t, batch, concepts, rng, weight, grad) + cols(a, t, batch, concepts, rng, weight, grad));
    }

    private double rows(float[] a, float[] t, int batch, int c, Rng rng, double weight, float[] grad) {
        int counted = 0;
        for (int i = 0; i < batch; i++) if (rowMass(t, i, c) > 0) counted++;
        if (counted == 0) return 0;
        double loss = 0;
        for (int i = 0; i < batch; i++) {
            double mass = rowMass(t, i, c);
            if (mass <= 0) continue;
            for (int j = 0; j < c; j++) noise[j] = 0;
            if (gumbel) GumbelSoftmax.noise(rng, noise, 0, c);
            for (int j = 0; j < c; j++) soft[j] = a[i * c + j] + noise[j];
            GumbelSoftmax.forward(soft, null, 0, c, tau, soft, 0);
            for (int j = 0; j < c; j++) {
                double q = t[i * c + j] / mass;
                if (q > 0) loss -= q * Math.log(Math.max(soft[j], 1e-30));
                if (grad != null) grad[i * c + j] += (float) (0.5 * weight * (soft[j] - q) / (tau * counted));
            }
        }
        return loss / counted;
    }

    private double cols(float[] a, float[] t, int batch, int c, Rng rng, double weight, float[] grad) {
        int counted = 0;
        for (int j = 0; j < c; j++) if (colMass(t, j, batch, c) > 0) counted++;
        if (counted == 0) return 0;
        double loss = 0;
        for (int j = 0; j < c; j++) {
            double mass = colMass(t, j, batch, c);
            if (mass <= 0) continue;
            for (int i = 0; i < batch; i++) noise[i] = 0;
            if (gumbel) GumbelSoftmax.noise(rng, noise, 0, batch);
            for (int i = 0; i < batch; i++) soft[i] = a[i * c + j] + noise[i];
            GumbelSoftmax.forward(soft, null, 0, batch, tau, soft, 0);
            for (int i = 0; i < batch; i++) {
                double r = t[i * c + j] / mass;
                if (r > 0) loss -= r * Math.log(Math.max(soft[i], 1e-30));
                if (grad != null) grad[i * c + j] += (float) (0.5 * weight * (soft[i] - r) / (tau * counted));
            }
        }
        return loss / counted;
    }

    private static double rowMass(float[] t, int i, int c) {
        double s = 0;
        for (int j = 0; j < c; j++) {
            float v = t[i * c + j];
            if (v < 0 || !Float.isFinite(v)) throw new IllegalArgumentException("targets must be finite and >= 0, got " + v + " at (" + i + ", " + j + ")");
            s += v;
        }
        return s;
    }

    private static double colMass(float[] t, int j, int batch, int c) {
        double s = 0;
        for (int i = 0; i < batch; i++) s += t[i * c + j];
        return s;
    }
}
