package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.List;

/**
 * Multinomial logistic (softmax) regression: logits = x·Wᵀ + b with W [classes × dim], mean
 * softmax cross-entropy ({@link Dense#softmaxCrossEntropy}, stable by subtracting the row
 * maximum). It is a one-layer {@link Mlp} with no hidden layer, kept as its own class because it is
 * the convex baseline: the loss is convex in (W, b) (a log-sum-exp of affine functions minus an
 * affine one).
 *
 * <p>Parameters: {@code fc.weight} [classes × dim] (role HEAD) and {@code fc.bias} [classes]
 * (BIAS). Initialisation: zero by default — convexity makes the start irrelevant to the optimum,
 * and at zero every class has probability 1/classes (the issue points to KATE, Choudhury et al.
 * 2024, arXiv:2403.02648, for GLMs started at 0); {@code initStd} &gt; 0 draws W ~ N(0, initStd²)
 * instead. The parametrisation has one redundant class (adding a vector to every row of W
 * changes nothing); zero start and plain (S)GD steps keep Σ_c W_c = 0 (the gradient rows sum to 0).
 *
 * <p>Cost per step: 4·classes·dim FLOPs per sample (logits and dW) plus O(classes). Memory:
 * classes·(dim + 1) parameters and gradients, 2·maxBatch·classes floats of buffers.
 */
public final class SoftmaxRegression implements Model {
    private final int dim, classes, maxBatch;
    private final double initStd;
    private final Param weight, bias;
    private final List<Param> params;
    private final float[] logits, dLogits;

    public SoftmaxRegression(int dim, int classes, int maxBatch) { this(dim, classes, maxBatch, 0); }

    public SoftmaxRegression(int dim, int classes, int maxBatch, double initStd) {
        if (dim < 1 || classes < 2 || maxBatch < 1 || initStd < 0) throw new IllegalArgumentException("bad softmax regression shape");
        this.dim = dim;
        this.classes = classes;
        this.maxBatch = maxBatch;
        this.initStd = initStd;
        weight = new Param("fc.weight", Param.Role.HEAD, classes, dim);
        bias = new Param("fc.bias", Param.Role.BIAS, classes);
        params = List.of(weight, bias);
        logits = new float[maxBatch * classes];
        dLogits = new float[maxBatch * classes];
    }

    @Override public List<Param> params() { return params; }
    @Override public int inputSize() { return dim; }
    @Override public int classes() { return classes; }
    @Override public int maxBatch() { return maxBatch; }

    @Override
    public void init(Rng rng) {
        float[] w = weight.value();
        for (int i = 0; i < w.length; i++) w[i] = initStd == 0 ? 0f : (float) (rng.nextGaussian() * initStd);
        java.util.Arrays.fill(bias.value(), 0f);
    }

    private void forward(float[] x, int batch) {
        if (batch > maxBatch || batch < 1) throw new IllegalArgumentException("batch " + batch + " outside 1.." + maxBatch);
        Dense.matmulBT(x, weight.value(), logits, batch, dim, classes);
        Dense.addRowVector(logits, bias.value(), batch, classes);
    }

    @Override
    public float forwardBackward(float[] x, int[] y, int batch) {
        forward(x, batch);
        float loss = Dense.softmaxCrossEntropy(logits, y, batch, classes, dLogits);
        // dW = dᵀ·X ([classes × dim]), db = column sums of d
        Dense.matmulAT(dLogits, x, weight.grad(), classes, batch, dim);
        Dense.sumRows(dLogits, bias.grad(), batch, classes);
        return loss;
    }

    @Override
    public float loss(float[] x, int[] y, int batch) {
        forward(x, batch);
        return Dense.softmaxCrossEntropy(logits, y, batch, classes, null);
    }

    @Override
    public int countCorrect(float[] x, int[] y, int batch) {
        forward(x, batch);
        int correct = 0;
        for (int i = 0; i < batch; i++) if (Dense.argmax(logits, i * classes, classes) == y[i]) correct++;
        return correct;
    }
}
