package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * Layers [{@code from}, {@code to}) of the {@link Mlp} with the given widths, as a pipeline {@link
 * Stage}: the same parameters (names, shapes, roles, initial values) and the same floating-point
 * operations in the same order as the unsplit MLP, so a pipeline of these stages over one
 * micro-batch reproduces the MLP's loss and gradients bit for bit.
 *
 * <p>A stage that is not the last ends after its last layer's ReLU: it sends the post-activation and
 * gets back the gradient with respect to it, which it masks with its own stashed activation (not
 * the possibly compressed copy the next stage received).
 */
public final class MlpStage implements Stage {
    private final int[] widths;            // of the whole MLP: input, hidden..., classes
    private final int from, to, layers, maxRows, slots;
    private final Param[] weights, biases;  // local layer i = global layer from + i
    private final List<Param> params = new ArrayList<>();
    /** acts[slot][i]: the input of local layer i (its copy of the stage input for i = 0); out[slot]: the stage output. */
    private final float[][][] acts;
    private final float[][] out;
    /** delta[i]: gradient with respect to local layer i's pre-activation; lastDelta[slot]: the loss's (last stage). */
    private final float[][] delta, lastDelta;
    private final float[] inputGrad;
    /** Gradients of one micro-batch before they are added to the accumulated ones. */
    private final float[][] weightScratch, biasScratch;

    /**
     * {@code widths}: the whole MLP's input, hidden and class widths; this stage holds layers
     * {@code from} ≤ l &lt; {@code to} (layer l maps widths[l] to widths[l + 1]), for micro-batches of
     * at most {@code maxRows} rows, {@code slots} of them stashed at once.
     */
    public MlpStage(int[] widths, int from, int to, int maxRows, int slots) {
        int total = widths.length - 1;
        if (total < 1 || from < 0 || to > total || from >= to)
            throw new IllegalArgumentException("stage layers [" + from + ", " + to + ") outside the MLP's " + total + " layers");
        if (maxRows < 1 || slots < 1) throw new IllegalArgumentException("a stage needs at least one row and one slot");
        this.widths = widths.clone();
        this.from = from;
        this.to = to;
        this.layers = to - from;
        this.maxRows = maxRows;
        this.slots = slots;
        weights = new Param[layers];
        biases = new Param[layers];
        weightScratch = new float[layers][];
        biasScratch = new float[layers][];
        delta = new float[layers][];
        for (int i = 0; i < layers; i++) {
            int l = from + i;
            String n = "fc" + (l + 1);
            weights[i] = new Param(n + ".weight", l == total - 1 ? Param.Role.HEAD : Param.Role.MATRIX, widths[l + 1], widths[l]);
            biases[i] = new Param(n + ".bias", Param.Role.BIAS, widths[l + 1]);
            params.add(weights[i]);
            params.add(biases[i]);
            weightScratch[i] = new float[weights[i].size()];
            biasScratch[i] = new float[biases[i].size()];
            delta[i] = new float[maxRows * widths[l + 1]];
        }
        acts = new float[slots][layers][];
        out = new float[slots][];
        for (int s = 0; s < slots; s++) {
            for (int i = 0; i < layers; i++) acts[s][i] = new float[maxRows * widths[from + i]];
            out[s] = new float[maxRows * widths[to]];
        }
        lastDelta = isLast() ? new float[slots][maxRows * widths[to]] : null;
        inputGrad = from > 0 ? new float[maxRows * widths[from]] : null;
    }

    /** The cut of an MLP with these widths into stages starting at layers {@code starts} (starts[0] = 0): stage {@code i}. */
    public static MlpStage of(int[] widths, int[] starts, int i, int maxRows, int slots) {
        int end = i + 1 < starts.length ? starts[i + 1] : widths.length - 1;
        return new MlpStage(widths, starts[i], end, maxRows, slots);
    }

    @Override public List<Param> params() { return params; }
    @Override
    public long modelParams() {
        long n = 0;
        for (int l = 0; l + 1 < widths.length; l++) n += (long) widths[l + 1] * widths[l] + widths[l + 1];
        return n;
    }

    @Override public int inputWidth() { return widths[from]; }
    @Override public int outputWidth() { return widths[to]; }
    @Override public boolean isLast() { return to == widths.length - 1; }
    @Override public int slots() { return slots; }

    /** Draws as {@link Mlp#init}: every layer in order, skipping (but drawing past) the other stages' layers. */
    @Override
    public void init(Rng rng) {
        for (int l = 0; l < widths.length - 1; l++) {
            if (l >= from && l < to) {
                Mlp.initLayer(weights[l - from].value(), biases[l - from].value(), widths[l], rng);
            } else {
                long draws = (long) widths[l + 1] * widths[l] + widths[l + 1];
                for (long d = 0; d < draws; d++) rng.nextDouble();
            }
        }
    }

    @Override
    public float[] forward(int slot, float[] in, int rows) {
        checkRows(rows);
        float[][] a = acts[slot];
        System.arraycopy(in, 0, a[0], 0, rows * widths[from]);
        for (int i = 0; i < layers; i++) {
            int l = from + i;
            float[] o = i == layers - 1 ? out[slot] : a[i + 1];
            Dense.matmulBT(a[i], weights[i].value(), o, rows, widths[l], widths[l + 1]);
            Dense.addRowVector(o, biases[i].value(), rows, widths[l + 1]);
            if (l < widths.length - 2) Dense.relu(o, rows * widths[l + 1]);
        }
        return out[slot];
    }

    @Override
    public float loss(int slot, int[] labels, int rows) {
        if (!isLast()) throw new IllegalStateException("only the last stage computes the loss");
        checkRows(rows);
        return Dense.softmaxCrossEntropy(out[slot], labels, rows, widths[to], lastDelta[slot]);
    }

    @Override
    public float[] backward(int slot, float[] outputGrad, int rows, boolean accumulate) {
        checkRows(rows);
        float[][] a = acts[slot];
        float[] d;
        if (isLast()) {
            d = lastDelta[slot];
        } else {
            // the gradient with respect to the post-ReLU output, masked by this stage's own activation
            d = delta[layers - 1];
            System.arraycopy(outputGrad, 0, d, 0, rows * widths[to]);
            Dense.reluBackward(out[slot], d, rows * widths[to]);
        }
        for (int i = layers - 1; i >= 0; i--) {
            int l = from + i;
            float[] dw = accumulate ? weightScratch[i] : weights[i].grad(), db = accumulate ? biasScratch[i] : biases[i].grad();
            // as Mlp: dW = dᵀ·a, db = column sums of d, d_prev = d·W masked by the ReLU
            Dense.matmulAT(d, a[i], dw, widths[l + 1], rows, widths[l]);
            Dense.sumRows(d, db, rows, widths[l + 1]);
            if (accumulate) {
                add(weights[i].grad(), dw);
                add(biases[i].grad(), db);
            }
            if (i > 0) {
                Dense.matmul(d, weights[i].value(), delta[i - 1], rows, widths[l + 1], widths[l]);
                Dense.reluBackward(a[i], delta[i - 1], rows * widths[l]);
                d = delta[i - 1];
            } else if (inputGrad != null) {
                // the stage input's gradient, unmasked: the ReLU that made the input belongs to the previous stage
                Dense.matmul(d, weights[i].value(), inputGrad, rows, widths[l + 1], widths[l]);
            }
        }
        return inputGrad;
    }

    private static void add(float[] acc, float[] x) {
        for (int i = 0; i < acc.length; i++) acc[i] += x[i];
    }

    private void checkRows(int rows) {
        if (rows < 1 || rows > maxRows) throw new IllegalArgumentException("micro-batch of " + rows + " rows outside 1.." + maxRows);
    }
}
