package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Sign;
import dopt.tensor.Param;
import java.util.List;

/** signSGD's direction sign(g) (Bernstein et al. 2018), with sign(0) = 0 as {@code torch.sign}
 * ({@link Sign}: exactly {@code Math.signum}, vectorised). */
public final class ScaleBySign implements GradientTransformation {

    @Override
    public String role() { return "sign"; }
    @Override public void init(List<Param> params, StateTree state, String prefix) { }

    @Override
    public void update(List<Param> params, long step) {
        for (Param p : params) Sign.signum(p.grad(), 0, p.grad().length);
    }
}
