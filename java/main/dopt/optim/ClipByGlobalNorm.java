package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/** Scales all gradients by min(1, maxNorm/‖g‖₂) with the norm taken over every parameter together. */
public final class ClipByGlobalNorm implements GradientTransformation {

    @Override
    public String role() { return "clip"; }
    private final double maxNorm;

    public ClipByGlobalNorm(double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clip max norm must be positive: " + maxNorm);
        this.maxNorm = maxNorm;
    }

    @Override public void init(List<Param> params, StateTree state, String prefix) { }

    @Override
    public void update(List<Param> params, long step) {
        double norm = Math.sqrt(GlobalNorm.squared(params));
        if (norm <= maxNorm) return;
        float s = (float) (maxNorm / norm);
        for (Param p : params) {
            float[] g = p.grad();
            for (int j = 0; j < g.length; j++) g[j] *= s;
        }
    }
}
