package dopt.nn;

import dopt.tensor.Param;
import java.util.List;

/**
 * Batch normalisation for images (Ioffe and Szegedy 2015, "Batch Normalization", Alg. 1 and 2;
 * PyTorch's {@code BatchNorm2d} defaults: ε = 1e-5, momentum 0.1). Each channel is normalised
 * over all images and pixels of the batch.
 *
 * <ul>
 *   <li><b>Training mode</b> uses the batch's mean and biased variance, and a training step
 *   moves the running statistics: μ_run ← 0.9·μ_run + 0.1·μ_B and
 *   σ²_run ← 0.9·σ²_run + 0.1·σ²_B·M/(M−1) (the unbiased estimate that Alg. 2 uses for
 *   inference; PyTorch does the same).</li>
 *   <li><b>Evaluation mode</b> uses μ_run, σ²_run instead, so a prediction does not depend on the
 *   other images of its batch; the layer is then a fixed per-channel affine map.</li>
 * </ul>
 *
 * <p>The running statistics are not trainable: they are returned by {@link #buffers()} (named
 * {@code <name>.running_mean}, {@code <name>.running_var} as in PyTorch's state dict) so that a
 * checkpoint holds them, and never reach an optimizer or the gradient all-reduce. With data
 * parallelism each rank's running statistics follow its own shard; see the report on averaging
 * them across ranks before evaluation and checkpointing.
 *
 * <p>Backward in training mode (per channel, M = n·hw, x̂ = (x − μ)·r, g = dy·γ): dx = r·(g −
 * mean(g) − x̂·mean(g·x̂)) (Ioffe and Szegedy §3, simplified); in evaluation mode dx = dy·γ·r.
 *
 * <p>Cost per image: about 10 FLOPs per element forward, 12 backward. Memory: per channel μ, r
 * and the two running statistics.
 */
final class BatchNorm2d implements Norm2d {
    static final float MOMENTUM = 0.1f;

    private final Param weight, bias, runningMean, runningVar;
    private final int channels, hw;
    private final float[] mean, rstd;    // per channel, as used by the last forward
    private boolean lastTraining = true;

    BatchNorm2d(String name, int channels, int hw) {
        this.channels = channels;
        this.hw = hw;
        weight = new Param(name + ".weight", Param.Role.NORM, channels);
        bias = new Param(name + ".bias", Param.Role.NORM, channels);
        // Role NORM for lack of a BUFFER role; the grad arrays of these two are never used
        runningMean = new Param(name + ".running_mean", Param.Role.NORM, channels);
        runningVar = new Param(name + ".running_var", Param.Role.NORM, channels);
        mean = new float[channels];
        rstd = new float[channels];
    }

    @Override public Param weight() { return weight; }
    @Override public Param bias() { return bias; }
    @Override public List<Param> buffers() { return List.of(runningMean, runningVar); }

    @Override
    public void init() {
        java.util.Arrays.fill(weight.value(), 1f);
        java.util.Arrays.fill(bias.value(), 0f);
        java.util.Arrays.fill(runningMean.value(), 0f);
        java.util.Arrays.fill(runningVar.value(), 1f);
    }

    @Override
    public void forward(float[] x, int n, float[] y, boolean training, boolean updateStats) {
        int len = n * hw;                        // channel c is the contiguous block [c·len, (c+1)·len)
        float[] gamma = weight.value(), beta = bias.value(), rm = runningMean.value(), rv = runningVar.value();
        lastTraining = training;
        for (int c = 0; c < channels; c++) {
            int o = c * len;
            if (training) {
                double s = 0;
                for (int i = 0; i < len; i++) s += x[o + i];
                double mu = s / len, v = 0;
                for (int i = 0; i < len; i++) {
                    double d = x[o + i] - mu;
                    v += d * d;
                }
                v /= len;
                mean[c] = (float) mu;
                rstd[c] = (float) (1 / Math.sqrt(v + EPS));
                if (updateStats) {
                    double unbiased = len > 1 ? v * len / (len - 1) : v;
                    rm[c] = (float) ((1 - MOMENTUM) * rm[c] + MOMENTUM * mu);
                    rv[c] = (float) ((1 - MOMENTUM) * rv[c] + MOMENTUM * unbiased);
                }
            } else {
                mean[c] = rm[c];
                rstd[c] = (float) (1 / Math.sqrt(rv[c] + (double) EPS));
            }
            float a = gamma[c] * rstd[c], shift = beta[c] - mean[c] * a;
            for (int i = 0; i < len; i++) y[o + i] = x[o + i] * a + shift;
        }
    }

    @Override
    public void backward(float[] x, float[] dy, int n, float[] dx) {
        int len = n * hw;
        float[] gamma = weight.value(), dGamma = weight.grad(), dBeta = bias.grad();
        for (int c = 0; c < channels; c++) {
            int o = c * len;
            float mu = mean[c], r = rstd[c];
            double sdy = 0, sdyx = 0;
            for (int i = 0; i < len; i++) {
                sdy += dy[o + i];
                sdyx += dy[o + i] * ((x[o + i] - mu) * r);
            }
            dGamma[c] = (float) sdyx;
            dBeta[c] = (float) sdy;
            float gc = gamma[c];
            if (lastTraining) {
                // the batch statistics depend on x: subtract the mean gradient and its projection on x̂
                float mg = (float) (gc * sdy / len), mgx = (float) (gc * sdyx / len);
                for (int i = 0; i < len; i++) dx[o + i] = r * (dy[o + i] * gc - mg - (x[o + i] - mu) * r * mgx);
            } else {
                float a = gc * r;
                for (int i = 0; i < len; i++) dx[o + i] = dy[o + i] * a;
            }
        }
    }
}
