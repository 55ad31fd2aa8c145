package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * RMSProp's direction g / (√v + ε) with v ← αv + (1−α)g² (Tieleman and Hinton 2012), as
 * {@code torch.optim.RMSprop} without momentum or centring. The state is named {@code nu}, like
 * Adam's second moment, so local methods can average either preconditioner the same way.
 */
public final class ScaleByRms implements GradientTransformation {

    @Override
    public String role() { return "rmsprop"; }
    private final float alpha, eps;
    private float[][] nu;

    public ScaleByRms(double alpha, double eps) {
        this.alpha = (float) alpha;
        this.eps = (float) eps;
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        nu = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            nu[i] = state.putFloats(prefix + "/nu/" + p.name(), new float[p.size()], p.shape());
        }
    }

    @Override
    public void update(List<Param> params, long step) {
        float a = alpha, c = 1 - alpha;
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad(), v = nu[i];
            for (int j = 0; j < g.length; j++) {
                float gj = g[j];
                v[j] = a * v[j] + c * gj * gj;
                g[j] = gj / ((float) Math.sqrt(v[j]) + eps);
            }
        }
    }

    @Override
    public List<float[]> preconditionerState() { return List.of(nu); }

    @Override
    public long stateBytes() {
        long b = 0;
        for (float[] v : nu) b += 4L * v.length;
        return b;
    }
}
