package dopt.nn.adapter;

import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * LoRA-SB's estimate of the first full fine-tuning update (Ponkshe et al. 2024, §4, "Initialization
 * using update approximation"; authors' {@code estimate_and_process_grads_torch}): the gradient of
 * each target weight is summed over a few dozen samples (the authors use 50 for the LLM tasks), and
 * the update is what a first Adam step with that gradient would do,
 * {@code ΔW = −η₁·sign(Σ g)}, with η₁ the learning rate of the first step (after one warm-up step:
 * lr / warmup steps for a linear warm-up, the authors' {@code eff_lr}). Coordinates whose summed
 * gradient is exactly 0 get 0, as {@code torch.sign} gives.
 */
public final class FirstStepEstimate {
    private FirstStepEstimate() { }

    /**
     * Runs {@code oneBatchGradient} {@code batches} times (each run must overwrite the targets'
     * gradient buffers with one batch's gradient, e.g. a model's forwardBackward on the next batch)
     * and returns, for each target in order, {@code −eta1·sign(Σ g)}.
     */
    public static List<float[]> of(List<Param> targets, Runnable oneBatchGradient, int batches, double eta1) {
        return signStep(targets, sums(targets, oneBatchGradient, batches), eta1);
    }

    /**
     * The first half of {@link #of}: {@code Σ g} over {@code batches} runs of {@code oneBatchGradient},
     * one array per target. Data-parallel callers sum these over ranks before {@link #signStep}.
     */
    public static List<float[]> sums(List<Param> targets, Runnable oneBatchGradient, int batches) {
        if (batches < 1) throw new IllegalArgumentException("batches must be >= 1: " + batches);
        List<float[]> sums = new ArrayList<>();
        for (Param p : targets) sums.add(new float[p.size()]);
        for (int b = 0; b < batches; b++) {
            oneBatchGradient.run();
            for (int t = 0; t < targets.size(); t++) {
                float[] g = targets.get(t).grad(), s = sums.get(t);
                for (int i = 0; i < s.length; i++) s[i] += g[i];
            }
        }
        return sums;
    }

    /** The second half of {@link #of}: overwrites each summed gradient with {@code −eta1·sign(Σ g)} and returns them. */
    public static List<float[]> signStep(List<Param> targets, List<float[]> sums, double eta1) {
        if (!(eta1 > 0) || !Double.isFinite(eta1)) throw new IllegalArgumentException("first-step learning rate must be positive and finite: " + eta1);
        float step = (float) eta1;
        for (int t = 0; t < targets.size(); t++) {
            float[] s = sums.get(t);
            for (int i = 0; i < s.length; i++) {
                if (Float.isNaN(s[i])) throw new IllegalArgumentException(targets.get(t).name() + ": accumulated gradient is NaN at " + i);
                s[i] = s[i] > 0 ? -step : s[i] < 0 ? step : 0f;
            }
        }
        return sums;
    }
}
