package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * A concept bottleneck model on fixed features (Koh et al. 2020; the CLIP-based variant of
 * Semenov, Ivanov, Beznosikov and Gasnikov 2024, "Sparse Concept Bottleneck Models"): features
 * f ∈ R^d → concept activations a = W_c f + b_c ∈ R^C (the concept bottleneck layer, CBL) →
 * head input z → logits W_h z + b_h ∈ R^K, trained with cross-entropy plus the concept layer's
 * {@link ConceptObjective}. z = a, except under {@link ConceptObjective.Kind#GUMBEL}, where
 * z = GumbelSoftmax(a, τ) (noise only in training). The reference CBL is a C × C map on CLIP's
 * image–concept similarities (github.com/Andron00e/SparseCBM, bottlenecks/cbm.py,
 * {@code BaseCBModel}); here it reads any d features, and {@link #setConceptEmbeddings} can start
 * W_c at concept "text embeddings" so that a_j starts as the image–concept similarity.
 *
 * <p>Hand-written backward, buffers preallocated for {@code maxBatch} rows, row-major flat arrays.
 */
public final class ConceptBottleneck {
    private final int dim, concepts, classes, maxBatch;
    private final ConceptObjective objective;
    private final Param wc, bc, wh, bh;
    private final List<Param> params;
    private final ConceptAlignmentLoss alignment;
    private final float[] a, z, logits, gz, ga, noise;
    private double lastCrossEntropy, lastConceptLoss;

    public ConceptBottleneck(int dim, int concepts, int classes, int maxBatch, ConceptObjective objective) {
        if (dim < 1 || concepts < 1 || classes < 2 || maxBatch < 1)
            throw new IllegalArgumentException("need dim, concepts, maxBatch >= 1 and classes >= 2, got " + dim + ", " + concepts + ", " + classes + ", " + maxBatch);
        this.dim = dim;
        this.concepts = concepts;
        this.classes = classes;
        this.maxBatch = maxBatch;
        this.objective = objective;
        wc = new Param("cbl.weight", Param.Role.MATRIX, concepts, dim);
        bc = new Param("cbl.bias", Param.Role.BIAS, concepts);
        wh = new Param("head.weight", Param.Role.HEAD, classes, concepts);
        bh = new Param("head.bias", Param.Role.BIAS, classes);
        params = List.of(wc, bc, wh, bh);
        alignment = objective.needsTargets() ? new ConceptAlignmentLoss(maxBatch, concepts, objective.tau(), objective.gumbelNoise()) : null;
        a = new float[maxBatch * concepts];
        z = new float[maxBatch * concepts];
        logits = new float[maxBatch * classes];
        gz = new float[maxBatch * concepts];
        ga = new float[maxBatch * concepts];
        noise = new float[maxBatch * concepts];
    }

    public List<Param> params() { return params; }
    public ConceptObjective objective() { return objective; }
    public int concepts() { return concepts; }
    public int classes() { return classes; }
    public int dim() { return dim; }
    /** The cross-entropy part of the last {@link #forwardBackward}/{@link #objectiveValue}. */
    public double lastCrossEntropy() { return lastCrossEntropy; }
    /** The concept-layer part (ℓ1 penalty or alignment loss, unweighted) of the last call. */
    public double lastConceptLoss() { return lastConceptLoss; }

    /** W_c, b_c ~ N(0, 1/d) and 0; W_h ~ N(0, 1/C), b_h = 0 (fan-in scaling). */
    public void init(Rng rng) {
        float[] w = wc.value();
        double s = 1 / Math.sqrt(dim);
        for (int i = 0; i < w.length; i++) w[i] = (float) (s * rng.nextGaussian());
        java.util.Arrays.fill(bc.value(), 0f);
        float[] h = wh.value();
        double sh = 1 / Math.sqrt(concepts);
        for (int i = 0; i < h.length; i++) h[i] = (float) (sh * rng.nextGaussian());
        java.util.Arrays.fill(bh.value(), 0f);
    }

    /** Sets W_c's rows to the given concept embeddings (C × d, row-major) and b_c to 0. */
    public void setConceptEmbeddings(float[] embeddings) {
        if (embeddings.length != concepts * dim) throw new IllegalArgumentException("embeddings must be " + concepts + " x " + dim + ", got " + embeddings.length + " values");
        System.arraycopy(embeddings, 0, wc.value(), 0, embeddings.length);
        java.util.Arrays.fill(bc.value(), 0f);
    }

    /**
     * Total objective (mean cross-entropy + weight·concept loss) on {@code batch} rows of {@code x}
     * with labels {@code y} and concept targets {@code t} (B × C; may be null unless the objective
     * needs them); overwrites every gradient. {@code rng} draws the Gumbel noise (training mode).
     */
    public double forwardBackward(float[] x, int[] y, float[] t, int batch, Rng rng) {
        return run(x, y, t, batch, rng, true);
    }

    /** The same objective, forward only (gradients untouched); with the same {@code rng} state it draws the same noise. */
    public double objectiveValue(float[] x, int[] y, float[] t, int batch, Rng rng) {
        return run(x, y, t, batch, rng, false);
    }

    private double run(float[] x, int[] y, float[] t, int batch, Rng rng, boolean backward) {
        checkBatch(batch);
        if (objective.needsTargets() && t == null) throw new IllegalArgumentException(objective.kind() + " objective needs concept targets");
        activations(x, batch);
        if (objective.sparseGate()) {
            for (int i = 0; i < batch; i++) GumbelSoftmax.noise(rng, noise, i * concepts, concepts);
            for (int i = 0; i < batch; i++) GumbelSoftmax.forward(a, noise, i * concepts, concepts, objective.tau(), z, i * concepts);
        } else {
            System.arraycopy(a, 0, z, 0, batch * concepts);
        }
        head(batch);
        // cross-entropy and its gradient w.r.t. the logits, (p − onehot)/B, written over the logits
        double ce = 0;
        for (int i = 0; i < batch; i++) {
            int off = i * classes;
            int yi = y[i];
            if (yi < 0 || yi >= classes) throw new IllegalArgumentException("label " + yi + " out of range [0, " + classes + ")");
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, logits[off + k]);
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.exp(logits[off + k] - max);
            ce += Math.log(sum) + max - logits[off + yi];
            for (int k = 0; k < classes; k++) logits[off + k] = (float) ((Math.exp(logits[off + k] - max) / sum - (k == yi ? 1 : 0)) / batch);
        }
        ce /= batch;
        lastCrossEntropy = ce;
        double conceptLoss = 0;
        if (backward) for (Param p : params) p.zeroGrad();
        if (objective.needsTargets()) {
            java.util.Arrays.fill(ga, 0, batch * concepts, 0f);
            conceptLoss = alignment.apply(a, t, batch, concepts, rng, objective.weight(), backward ? ga : null);
        } else if (objective.kind() == ConceptObjective.Kind.L1) {
            float[] w = wc.value();
            double l1 = 0;
            for (float v : w) l1 += Math.abs(v);
            conceptLoss = l1 / concepts;
            if (backward) {
                float[] g = wc.grad();
                float c = (float) (objective.weight() / concepts);
                for (int i = 0; i < w.length; i++) g[i] = w[i] > 0 ? c : w[i] < 0 ? -c : 0;
            }
            java.util.Arrays.fill(ga, 0, batch * concepts, 0f);
        } else {
            java.util.Arrays.fill(ga, 0, batch * concepts, 0f);
        }
        lastConceptLoss = conceptLoss;
        if (!backward) return ce + objective.weight() * conceptLoss;
        // head: dW_h = dlogitsᵀ z, db_h = Σ dlogits, dz = dlogits W_h
        float[] gwh = wh.grad(), gbh = bh.grad(), whv = wh.value();
        for (int i = 0; i < batch; i++) {
            int lo = i * classes, zo = i * concepts;
            for (int j = 0; j < concepts; j++) gz[zo + j] = 0;
            for (int k = 0; k < classes; k++) {
                float d = logits[lo + k];
                gbh[k] += d;
                int wo = k * concepts;
                for (int j = 0; j < concepts; j++) {
                    gwh[wo + j] += d * z[zo + j];
                    gz[zo + j] += d * whv[wo + j];
                }
            }
        }
        // gate: dz → da (identity, or the Gumbel-Softmax Jacobian), added to the concept loss's gradient in ga
        if (objective.sparseGate()) {
            for (int i = 0; i < batch; i++) GumbelSoftmax.backwardAdd(z, gz, i * concepts, concepts, objective.tau(), ga, i * concepts);
        } else {
            for (int i = 0; i < batch * concepts; i++) ga[i] += gz[i];
        }
        // concept layer: dW_c += daᵀ x, db_c = Σ da
        float[] gwc = wc.grad(), gbc = bc.grad();
        for (int i = 0; i < batch; i++) {
            int xo = i * dim, ao = i * concepts;
            for (int j = 0; j < concepts; j++) {
                float d = ga[ao + j];
                if (d == 0) continue;
                gbc[j] += d;
                int wo = j * dim;
                for (int f = 0; f < dim; f++) gwc[wo + f] += d * x[xo + f];
            }
        }
        return ce + objective.weight() * conceptLoss;
    }

    /**
     * Evaluation: writes the head input z (B × C; the Gumbel-Softmax without noise under the sparse
     * gate) into {@code zOut} and returns how many rows the argmax of the logits classifies correctly.
     */
    public int evaluate(float[] x, int[] y, int batch, float[] zOut) {
        checkBatch(batch);
        activations(x, batch);
        if (objective.sparseGate()) {
            for (int i = 0; i < batch; i++) GumbelSoftmax.forward(a, null, i * concepts, concepts, objective.tau(), z, i * concepts);
        } else {
            System.arraycopy(a, 0, z, 0, batch * concepts);
        }
        head(batch);
        if (zOut != null) System.arraycopy(z, 0, zOut, 0, batch * concepts);
        int correct = 0;
        for (int i = 0; i < batch; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) if (logits[i * classes + k] > logits[i * classes + best]) best = k;
            if (best == y[i]) correct++;
        }
        return correct;
    }

    private void activations(float[] x, int batch) {
        float[] w = wc.value(), b = bc.value();
        for (int i = 0; i < batch; i++) {
            int xo = i * dim;
            for (int j = 0; j < concepts; j++) {
                int wo = j * dim;
                double s = b[j];
                for (int f = 0; f < dim; f++) s += w[wo + f] * x[xo + f];
                a[i * concepts + j] = (float) s;
            }
        }
    }

    private void head(int batch) {
        float[] w = wh.value(), b = bh.value();
        for (int i = 0; i < batch; i++)
            for (int k = 0; k < classes; k++) {
                double s = b[k];
                for (int j = 0; j < concepts; j++) s += w[k * concepts + j] * z[i * concepts + j];
                logits[i * classes + k] = (float) s;
            }
    }

    private void checkBatch(int batch) {
        if (batch < 1 || batch > maxBatch) throw new IllegalArgumentException("batch " + batch + " outside [1, " + maxBatch + "]");
    }
}
