package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * AdaGrad's direction g / (√(Σ g²) + ε) per coordinate (Duchi, Hazan and Singer 2011), as
 * {@code torch.optim.Adagrad} with {@code lr_decay = 0}: the accumulator includes the current
 * gradient and starts at {@code initialAccumulator}.
 */
public final class ScaleByAdagrad implements GradientTransformation {

    @Override
    public String role() { return "adagrad"; }
    private final float eps, initial;
    private float[][] sum;

    public ScaleByAdagrad(double eps, double initialAccumulator) {
        this.eps = (float) eps;
        this.initial = (float) initialAccumulator;
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        sum = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            sum[i] = state.putFloats(prefix + "/sum/" + p.name(), new float[p.size()], p.shape());
            java.util.Arrays.fill(sum[i], initial);
        }
    }

    @Override
    public void update(List<Param> params, long step) {
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad(), s = sum[i];
            for (int j = 0; j < g.length; j++) {
                float gj = g[j];
                s[j] += gj * gj;
                g[j] = gj / ((float) Math.sqrt(s[j]) + eps);
            }
        }
    }

    @Override
    public long stateBytes() {
        long b = 0;
        for (float[] s : sum) b += 4L * s.length;
        return b;
    }
}
