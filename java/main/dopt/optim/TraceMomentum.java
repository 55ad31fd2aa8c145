package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * Heavy-ball momentum as in {@code torch.optim.SGD}: b ← μ·b + g (b starts at zero, which equals
 * PyTorch's b₁ = g₁), and the direction is b, or g + μ·b with Nesterov.
 */
public final class TraceMomentum implements GradientTransformation {

    @Override
    public String role() { return "momentum"; }
    private final float momentum;
    private final boolean nesterov;
    private float[][] buf;

    public TraceMomentum(double momentum, boolean nesterov) {
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        buf = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            buf[i] = state.putFloats(prefix + "/momentum/" + p.name(), new float[p.size()], p.shape());
        }
    }

    @Override
    public void update(List<Param> params, long step) {
        float mu = momentum;
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad(), b = buf[i];
            for (int j = 0; j < g.length; j++) {
                float bj = mu * b[j] + g[j];
                b[j] = bj;
                g[j] = nesterov ? g[j] + mu * bj : bj;
            }
        }
    }

    @Override
    public long stateBytes() {
        long b = 0;
        for (float[] m : buf) b += 4L * m.length;
        return b;
    }
}
