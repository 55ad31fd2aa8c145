package dopt.optim;

import static dopt.optim.NamedOptimizers.optimizer;
import static dopt.optim.NamedOptimizers.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** KATE, AdaGrad with delay (and its clipped, reweighted form) and clipped Adam by hand. */
class AdaptiveRulesTest {

    private static Param vector(float... v) {
        Param p = new Param("x", Param.Role.BIAS, v.length);
        System.arraycopy(v, 0, p.value(), 0, v.length);
        return p;
    }



    @Test
    void kateFollowsItsRecursion() {
        // η = 0, β = 1: b² = 4, m² = 4/4 = 1, step m·g/b² = 0.5; then b² = 8, m² = 1 + 4/8, step √1.5·2/8
        Param p = vector(0f, 0f);
        Optimizer o = optimizer("kate", Map.of("lr", 1.0, "eta", 0.0), p);
        step(o, p, 1, 2f, 0f);
        assertEquals(-0.5f, p.value()[0], 1e-7f);
        assertEquals(0f, p.value()[1], "0/0 is 0: a coordinate without gradient stays");
        step(o, p, 2, 2f, 0f);
        assertEquals(-0.5 - Math.sqrt(1.5) * 2 / 8, p.value()[0], 1e-6);
    }

    /**
     * Logistic regression on synthetic separable data, once with raw features and once with each
     * feature multiplied by a random scale: KATE's loss trajectory is the same (it is invariant to
     * diagonal rescaling of a GLM's features), AdaGrad's is not.
     */
    @Test
    void kateIsInvariantToFeatureScalingAndAdagradIsNot() {
        int n = 40, d = 3;
        Rng rng = new Rng(7);
        float[][] x = new float[n][d];
        float[] y = new float[n], scale = {0.01f, 1f, 50f};
        for (int i = 0; i < n; i++) {
            y[i] = i % 2 == 0 ? 1 : -1;
            for (int j = 0; j < d; j++) x[i][j] = (float) (rng.nextGaussian() + 0.7 * y[i]);
        }
        for (String rule : List.of("kate", "adagrad")) {
            double[] raw = trajectory(rule, x, y, new float[] {1, 1, 1});
            double[] scaled = trajectory(rule, x, y, scale);
            double worst = 0;
            for (int t = 0; t < raw.length; t++) worst = Math.max(worst, Math.abs(raw[t] - scaled[t]));
            if (rule.equals("kate")) assertTrue(worst < 1e-4, "KATE's losses agree within " + worst);
            else assertTrue(worst > 1e-2, "AdaGrad's losses differ by " + worst);
        }
    }

    private static double[] trajectory(String rule, float[][] x, float[] y, float[] scale) {
        int n = x.length, d = scale.length;
        Param w = new Param("w", Param.Role.HEAD, d);
        Map<String, Object> hp = rule.equals("kate") ? Map.of("lr", 0.1, "eta", 0.0) : Map.of("lr", 0.1, "eps", 0.0);
        Optimizer o = optimizer(rule, hp, w);
        double[] losses = new double[30];
        for (int t = 0; t < losses.length; t++) {
            double loss = 0;
            float[] g = w.grad();
            java.util.Arrays.fill(g, 0f);
            for (int i = 0; i < n; i++) {
                double z = 0;
                for (int j = 0; j < d; j++) z += w.value()[j] * x[i][j] * scale[j];
                double margin = y[i] * z;
                loss += Math.log1p(Math.exp(-margin)) / n;
                double s = -y[i] / (1 + Math.exp(margin)) / n;
                for (int j = 0; j < d; j++) g[j] += (float) (s * x[i][j] * scale[j]);
            }
            losses[t] = loss;
            o.step(t + 1);
        }
        return losses;
    }

    @Test
    void adagradNormWithDelayDividesByTheAccumulatorBeforeItGrows() {
        Param p = vector(0f, 0f);
        Optimizer o = optimizer("adagrad-norm-delay", Map.of("lr", 1.0, "b0", 2.0), p);
        step(o, p, 1, 3f, 4f);
        assertEquals(-1.5f, p.value()[0], 1e-6f);
        assertEquals(-2f, p.value()[1], 1e-6f);
        step(o, p, 2, 3f, 4f); // b = √(4 + 25)
        assertEquals(-1.5 - 3 / Math.sqrt(29), p.value()[0], 1e-5);
    }

    @Test
    void clipRAdaGradDClipsAndReweightsByTheSquaredStep() {
        // λ = 1 clips (3, 4) to (0.6, 0.8); the step uses b₀ = 2; b grows by η·1 with η = γ² = 0.25
        Param p = vector(0f, 0f);
        Optimizer o = optimizer("adagrad-norm-delay", Map.of("lr", 0.5, "b0", 2.0, "clip", 1.0), p);
        step(o, p, 1, 3f, 4f);
        assertEquals(-0.5f * 0.6f / 2, p.value()[0], 1e-6f);
        step(o, p, 2, 3f, 4f);
        assertEquals(-0.15 - 0.5 * 0.6 / Math.sqrt(4 + 0.25), p.value()[0], 1e-6);
    }

    @Test
    void clippedAdamClipsEachTensorAndDelaysTheSecondMoment() {
        Param p = vector(0f, 0f);
        Optimizer o = optimizer("clipped-adam", Map.of("lr", 1.0, "eps", 0.0), p);
        step(o, p, 1, 3f, 4f);
        // m = 0.1·(0.6, 0.8); v = 0.999·1e-5 (the previous clipped gradient is still zero)
        double v = 0.999 * 1e-5;
        assertEquals(-0.06 / Math.sqrt(v), p.value()[0], 1e-3);
        step(o, p, 2, 3f, 4f);
        double m = 0.9 * 0.06 + 0.1 * 0.6, v2 = 0.999 * v + 0.001 * 0.36;
        assertEquals(-0.06 / Math.sqrt(v) - m / Math.sqrt(v2), p.value()[0], 1e-3);
    }

    @Test
    void clippedAdamClipsEveryTensorOnItsOwnAndWeighsTheDelayedSecondMomentByEta() {
        // a = (3, 4) has norm 5 and is clipped to (0.6, 0.8); b = (0.3, 0.4) has norm 0.5 < λ = 1 and is kept
        // (a global-norm clip would have scaled b by 1/5.02 too)
        Param a = vector(0f, 0f), b = vector(0f, 0f);
        Optimizer o = optimizer("clipped-adam", Map.of("lr", 1.0, "eps", 0.0, "clip", 1.0, "eta", 0.5), List.of(a, b));
        float[][] g = {{3f, 4f}, {0.3f, 0.4f}};
        double v1 = 0.999 * 1e-5; // v0 = 1e-5, no previous clipped gradient yet
        double v2a = 0.999 * v1 + 0.001 * 0.5 * 0.36, v2b = 0.999 * v1 + 0.001 * 0.5 * 0.09;
        for (int t = 1; t <= 2; t++) {
            System.arraycopy(g[0], 0, a.grad(), 0, 2);
            System.arraycopy(g[1], 0, b.grad(), 0, 2);
            o.step(t);
        }
        // no bias correction: m₁ = 0.1·g_clip, m₂ = 0.19·g_clip
        assertEquals(-0.06 / Math.sqrt(v1) - 0.19 * 0.6 / Math.sqrt(v2a), a.value()[0], 1e-3);
        assertEquals(-0.03 / Math.sqrt(v1) - 0.19 * 0.3 / Math.sqrt(v2b), b.value()[0], 1e-3);
    }
}
