package dopt.nn;

import dopt.tensor.Param;
import java.util.List;

/**
 * Group normalisation (Wu and He 2018, "Group Normalization", §3 and §3.1):
 * the channels are split into {@code groups} equal groups and every image normalises each group
 * over its channels and pixels with its own mean and (biased) variance, then applies the
 * per-channel γ, β. No statistic crosses images, so the result does not depend on the batch
 * size — what matters when data-parallel ranks each see a small batch — and training and
 * evaluation compute the same function (no running statistics).
 *
 * <p>Backward (per image and group of M = channels/groups · hw elements, x̂ = (x − μ)·r with
 * r = 1/√(σ² + ε), g = dy·γ_c): dx = r·(g − mean(g) − x̂·mean(g·x̂)); dγ_c = Σ dy·x̂; dβ_c = Σ dy.
 * This is the batch-norm backward of Ioffe and Szegedy 2015 (§3) with the statistics' set
 * changed; the mean/variance are recomputed from x rather than storing x̂.
 *
 * <p>Cost per image: about 10 FLOPs per element forward (two passes for a stable variance, then
 * the affine map) and 12 backward. Memory: μ and r for maxBatch × groups; no activation copy.
 */
final class GroupNorm implements Norm2d {
    private final Param weight, bias;
    private final int channels, groups, hw;
    private final float[] mean, rstd;    // [maxBatch × groups], saved by forward for backward

    GroupNorm(String name, int channels, int groups, int hw, int maxBatch) {
        if (groups < 1 || channels % groups != 0)
            throw new IllegalArgumentException(name + ": " + groups + " groups do not divide " + channels + " channels");
        this.channels = channels;
        this.groups = groups;
        this.hw = hw;
        weight = new Param(name + ".weight", Param.Role.NORM, channels);
        bias = new Param(name + ".bias", Param.Role.NORM, channels);
        mean = new float[maxBatch * groups];
        rstd = new float[maxBatch * groups];
    }

    @Override public Param weight() { return weight; }
    @Override public Param bias() { return bias; }
    @Override public List<Param> buffers() { return List.of(); }

    @Override
    public void init() {
        java.util.Arrays.fill(weight.value(), 1f);
        java.util.Arrays.fill(bias.value(), 0f);
    }

    @Override
    public void forward(float[] x, int n, float[] y, boolean training, boolean updateStats) {
        int cpg = channels / groups;
        double m = (double) cpg * hw;
        float[] gamma = weight.value(), beta = bias.value();
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                // two passes in double: Σx then Σ(x − μ)², so a large mean does not cancel the variance
                double s = 0;
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    int o = (c * n + b) * hw;
                    for (int i = 0; i < hw; i++) s += x[o + i];
                }
                double mu = s / m, v = 0;
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    int o = (c * n + b) * hw;
                    for (int i = 0; i < hw; i++) {
                        double d = x[o + i] - mu;
                        v += d * d;
                    }
                }
                float mf = (float) mu, r = (float) (1 / Math.sqrt(v / m + EPS));
                mean[b * groups + g] = mf;
                rstd[b * groups + g] = r;
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    int o = (c * n + b) * hw;
                    float a = gamma[c] * r, shift = beta[c] - mf * a;
                    for (int i = 0; i < hw; i++) y[o + i] = x[o + i] * a + shift;
                }
            }
        }
    }

    @Override
    public void backward(float[] x, float[] dy, int n, float[] dx) {
        int cpg = channels / groups;
        double m = (double) cpg * hw;
        float[] gamma = weight.value(), dGamma = weight.grad(), dBeta = bias.grad();
        java.util.Arrays.fill(dGamma, 0f);
        java.util.Arrays.fill(dBeta, 0f);
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                float mu = mean[b * groups + g], r = rstd[b * groups + g];
                double sg = 0, sgx = 0;           // Σ dy·γ and Σ dy·γ·x̂ over the group
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    int o = (c * n + b) * hw;
                    double sdy = 0, sdyx = 0;
                    for (int i = 0; i < hw; i++) {
                        float xh = (x[o + i] - mu) * r;
                        sdy += dy[o + i];
                        sdyx += dy[o + i] * xh;
                    }
                    dGamma[c] += (float) sdyx;
                    dBeta[c] += (float) sdy;
                    sg += gamma[c] * sdy;
                    sgx += gamma[c] * sdyx;
                }
                float mg = (float) (sg / m), mgx = (float) (sgx / m);
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    int o = (c * n + b) * hw;
                    float gc = gamma[c];
                    for (int i = 0; i < hw; i++) {
                        float xh = (x[o + i] - mu) * r;
                        dx[o + i] = r * (dy[o + i] * gc - mg - xh * mgx);
                    }
                }
            }
        }
    }
}
