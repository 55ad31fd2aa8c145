package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/** Multiplies the direction by {@code −lr(step)}, turning it into the update to add to the parameters. */
public final class ScaleByLearningRate implements GradientTransformation {

    @Override
    public String role() { return "lr"; }
    private final Schedule schedule;

    public ScaleByLearningRate(Schedule schedule) { this.schedule = schedule; }

    @Override public void init(List<Param> params, StateTree state, String prefix) { }

    @Override
    public void update(List<Param> params, long step) {
        float s = factor(step);
        for (Param p : params) {
            float[] g = p.grad();
            for (int j = 0; j < g.length; j++) g[j] *= s;
        }
    }

    /** A pure scale: leaves the grad buffers alone and returns −lr(step) for the caller to apply. */
    @Override
    public float updateBeforeScale(List<Param> params, long step) { return factor(step); }

    private float factor(long step) { return (float) -schedule.lr(step); }
}
