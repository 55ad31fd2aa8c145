package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * A multilayer perceptron with ReLU between layers: y = x·Wᵀ + b per layer, weights stored
 * [out × in] as in PyTorch's {@code nn.Linear}. The last layer's weight has role HEAD.
 */
public final class Mlp implements Model {
    private final int[] widths;          // input, hidden..., classes
    private final int maxBatch;
    private final Param[] weights, biases;
    private final List<Param> params = new ArrayList<>();
    private final float[][] acts;        // acts[0] = input copy, acts[l] = post-activation of layer l
    private final float[][] deltas;      // gradient w.r.t. the pre-activation of layer l (index l-1)
    private final float[] logits;

    public Mlp(int inputSize, int[] hidden, int classes, int maxBatch) {
        if (inputSize < 1 || classes < 2 || maxBatch < 1) throw new IllegalArgumentException("bad MLP shape");
        int layers = hidden.length + 1;
        widths = new int[layers + 1];
        widths[0] = inputSize;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[layers] = classes;
        this.maxBatch = maxBatch;
        weights = new Param[layers];
        biases = new Param[layers];
        for (int l = 0; l < layers; l++) {
            String n = "fc" + (l + 1);
            weights[l] = new Param(n + ".weight", l == layers - 1 ? Param.Role.HEAD : Param.Role.MATRIX, widths[l + 1], widths[l]);
            biases[l] = new Param(n + ".bias", Param.Role.BIAS, widths[l + 1]);
            params.add(weights[l]);
            params.add(biases[l]);
        }
        acts = new float[layers][];
        deltas = new float[layers][];
        for (int l = 0; l < layers; l++) {
            acts[l] = new float[maxBatch * widths[l]];
            deltas[l] = new float[maxBatch * widths[l + 1]];
        }
        logits = new float[maxBatch * classes];
    }

    @Override public List<Param> params() { return params; }
    @Override public int inputSize() { return widths[0]; }
    @Override public int classes() { return widths[widths.length - 1]; }
    @Override public int maxBatch() { return maxBatch; }

    /** PyTorch's {@code nn.Linear} default: weight and bias ~ U(−1/√in, 1/√in) (Kaiming-uniform, a = √5). */
    @Override
    public void init(Rng rng) {
        for (int l = 0; l < weights.length; l++) initLayer(weights[l].value(), biases[l].value(), widths[l], rng);
    }

    /**
     * One layer's share of {@link #init}: its weight, then its bias, from {@code rng} (shared with
     * {@link MlpStage}, which must draw exactly as the unsplit model).
     */
    static void initLayer(float[] weight, float[] bias, int fanIn, Rng rng) {
        double bound = 1 / Math.sqrt(fanIn);
        for (float[] v : new float[][] {weight, bias})
            for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
    }

    private void forward(float[] x, int batch) {
        if (batch > maxBatch || batch < 1) throw new IllegalArgumentException("batch " + batch + " outside 1.." + maxBatch);
        System.arraycopy(x, 0, acts[0], 0, batch * widths[0]);
        int layers = weights.length;
        for (int l = 0; l < layers; l++) {
            float[] out = l == layers - 1 ? logits : acts[l + 1];
            Dense.matmulBT(acts[l], weights[l].value(), out, batch, widths[l], widths[l + 1]);
            Dense.addRowVector(out, biases[l].value(), batch, widths[l + 1]);
            if (l < layers - 1) Dense.relu(out, batch * widths[l + 1]);
        }
    }

    @Override
    public float forwardBackward(float[] x, int[] y, int batch) {
        forward(x, batch);
        int layers = weights.length;
        float[] d = deltas[layers - 1];
        float loss = Dense.softmaxCrossEntropy(logits, y, batch, classes(), d);
        for (int l = layers - 1; l >= 0; l--) {
            d = deltas[l];
            // dW = dᵀ·a (out × in), db = column sums of d, d_prev = d·W masked by the ReLU
            Dense.matmulAT(d, acts[l], weights[l].grad(), widths[l + 1], batch, widths[l]);
            Dense.sumRows(d, biases[l].grad(), batch, widths[l + 1]);
            if (l > 0) {
                Dense.matmul(d, weights[l].value(), deltas[l - 1], batch, widths[l + 1], widths[l]);
                Dense.reluBackward(acts[l], deltas[l - 1], batch * widths[l]);
            }
        }
        return loss;
    }

    @Override
    public float loss(float[] x, int[] y, int batch) {
        forward(x, batch);
        return Dense.softmaxCrossEntropy(logits, y, batch, classes(), null);
    }

    @Override
    public int countCorrect(float[] x, int[] y, int batch) {
        forward(x, batch);
        int c = classes(), correct = 0;
        for (int i = 0; i < batch; i++) if (Dense.argmax(logits, i * c, c) == y[i]) correct++;
        return correct;
    }
}
