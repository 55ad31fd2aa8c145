package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * AdaGrad with delay, in its norm (AdaGrad-Norm) or coordinate form (Chezhegov et al. 2024,
 * "Gradient clipping improves AdaGrad when the noise is heavy-tailed", the authors' notebook): the
 * step divides by the accumulator <em>before</em> the current gradient joins it,
 * <pre>
 *   direction = g / b_prev,   then   b ← √(b² + η‖g‖²)   (per coordinate: bᵢ ← √(bᵢ² + η gᵢ²))
 * </pre>
 * with b starting at b₀. Chained after a clipping transform this is Clip-(R)AdaGradD: the clipped
 * gradient enters both the step and the accumulator, which is c·g and c²‖g‖² of the paper; the
 * reweighted variant uses η = γ² (NamedRules sets that when {@code clip} is given).
 */
public final class ScaleByAdagradDelay implements GradientTransformation {

    @Override
    public String role() { return "adagrad_delay"; }
    private final boolean norm;
    private final float b0, eta;
    private float[][] b;
    private float[] bNorm;

    public ScaleByAdagradDelay(boolean norm, double b0, double eta) {
        if (!(b0 > 0)) throw new IllegalArgumentException("b0 must be positive: " + b0);
        this.norm = norm;
        this.b0 = (float) b0;
        this.eta = (float) eta;
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        if (norm) {
            bNorm = state.putFloats(prefix + "/b", new float[] {b0});
            return;
        }
        b = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            b[i] = state.putFloats(prefix + "/b/" + p.name(), new float[p.size()], p.shape());
            java.util.Arrays.fill(b[i], b0);
        }
    }

    @Override
    public void update(List<Param> params, long step) {
        if (norm) {
            double sq = GlobalNorm.squared(params);
            float inv = 1f / bNorm[0];
            for (Param p : params) {
                float[] g = p.grad();
                for (int j = 0; j < g.length; j++) g[j] *= inv;
            }
            bNorm[0] = (float) Math.sqrt((double) bNorm[0] * bNorm[0] + eta * sq);
            return;
        }
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad(), bi = b[i];
            for (int j = 0; j < g.length; j++) {
                float gj = g[j];
                g[j] = gj / bi[j];
                bi[j] = (float) Math.sqrt(bi[j] * bi[j] + eta * gj * gj);
            }
        }
    }

    @Override
    public long stateBytes() {
        if (norm) return 4;
        long s = 0;
        for (float[] x : b) s += 4L * x.length;
        return s;
    }
}
