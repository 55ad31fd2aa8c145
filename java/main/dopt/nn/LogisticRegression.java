package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.List;

/**
 * Binary logistic regression: z = w·x + b, P(y = 1 | x) = σ(z), labels 0 or 1, and the mean
 * binary cross-entropy −[y·log σ(z) + (1 − y)·log(1 − σ(z))] = softplus(−s·z) with s = 2y − 1,
 * evaluated as max(−s·z, 0) + log1p(exp(−|z|)) so that exp never overflows and no probability
 * rounds to 0 inside a log (the standard stable form, e.g. PyTorch's
 * {@code BCEWithLogitsLoss}). Gradient: dL/dz = (σ(z) − y)/batch. Prediction: class 1 iff z &gt; 0.
 *
 * <p>Parameters: {@code fc.weight} [1 × dim] (role HEAD — the whole model is its head) and
 * {@code fc.bias} [1] (BIAS), named like an {@code nn.Linear(dim, 1)}.
 *
 * <p>Initialisation: zero by default. The loss is convex in (w, b), so the start does not change
 * what gradient methods converge to; zero is the conventional, symmetric start for convex GLMs
 * (the issue points to the logistic-regression experiments of KATE, Choudhury et al. 2024,
 * arXiv:2403.02648, which start there). {@code initStd} &gt; 0 instead draws w ~ N(0, initStd²)
 * (b stays 0), for experiments on sensitivity to the starting point.
 *
 * <p>Cost per step: 4·dim FLOPs per sample (z and dw), plus O(1) transcendental functions.
 * Memory: dim + 1 parameters and gradients, 2·maxBatch floats of buffers.
 */
public final class LogisticRegression implements Model {
    private final int dim, maxBatch;
    private final double initStd;
    private final Param weight, bias;
    private final List<Param> params;
    private final float[] z, dz;          // logits and dL/dz, [maxBatch]

    public LogisticRegression(int dim, int maxBatch) { this(dim, maxBatch, 0); }

    public LogisticRegression(int dim, int maxBatch, double initStd) {
        if (dim < 1 || maxBatch < 1 || initStd < 0) throw new IllegalArgumentException("bad logistic regression shape");
        this.dim = dim;
        this.maxBatch = maxBatch;
        this.initStd = initStd;
        weight = new Param("fc.weight", Param.Role.HEAD, 1, dim);
        bias = new Param("fc.bias", Param.Role.BIAS, 1);
        params = List.of(weight, bias);
        z = new float[maxBatch];
        dz = new float[maxBatch];
    }

    @Override public List<Param> params() { return params; }
    @Override public int inputSize() { return dim; }
    @Override public int classes() { return 2; }
    @Override public int maxBatch() { return maxBatch; }

    @Override
    public void init(Rng rng) {
        float[] w = weight.value();
        for (int i = 0; i < dim; i++) w[i] = initStd == 0 ? 0f : (float) (rng.nextGaussian() * initStd);
        bias.value()[0] = 0f;
    }

    private void forward(float[] x, int batch) {
        if (batch > maxBatch || batch < 1) throw new IllegalArgumentException("batch " + batch + " outside 1.." + maxBatch);
        Dense.matmulBT(x, weight.value(), z, batch, dim, 1);
        float b = bias.value()[0];
        for (int i = 0; i < batch; i++) z[i] += b;
    }

    /** Mean softplus(−s·z); writes dL/dz into {@code grad} unless it is null. */
    private float bce(int[] y, int batch, float[] grad) {
        double total = 0;
        for (int i = 0; i < batch; i++) {
            int yi = y[i];
            if (yi != 0 && yi != 1) throw new IllegalArgumentException("label " + yi + " is not 0 or 1");
            double zi = z[i], sz = yi == 1 ? zi : -zi;
            total += Math.max(-sz, 0) + Math.log1p(Math.exp(-Math.abs(zi)));
            if (grad != null) {
                // σ(z) from exp(−|z|) so that it is exact in both tails
                double e = Math.exp(-Math.abs(zi)), sigma = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
                grad[i] = (float) ((sigma - yi) / batch);
            }
        }
        return (float) (total / batch);
    }

    @Override
    public float forwardBackward(float[] x, int[] y, int batch) {
        forward(x, batch);
        float loss = bce(y, batch, dz);
        // dw = dzᵀ·X ([1 × dim]), db = Σ dz
        Dense.matmulAT(dz, x, weight.grad(), 1, batch, dim);
        Dense.sumRows(dz, bias.grad(), batch, 1);
        return loss;
    }

    @Override
    public float loss(float[] x, int[] y, int batch) {
        forward(x, batch);
        return bce(y, batch, null);
    }

    @Override
    public int countCorrect(float[] x, int[] y, int batch) {
        forward(x, batch);
        int correct = 0;
        for (int i = 0; i < batch; i++) if ((z[i] > 0 ? 1 : 0) == y[i]) correct++;
        return correct;
    }
}
