package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/** signSGD's direction sign(g) (Bernstein et al. 2018), with sign(0) = 0 as {@code torch.sign}. */
public final class ScaleBySign implements GradientTransformation {
    @Override public void init(List<Param> params, StateTree state, String prefix) { }

    @Override
    public void update(List<Param> params, long step) {
        for (Param p : params) {
            float[] g = p.grad();
            for (int j = 0; j < g.length; j++) g[j] = Math.signum(g[j]);
        }
    }
}
