package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * A gradient transformation bound to its parameters: {@link #step} turns the gradients into
 * updates and adds them to the values. Its state lives in the tree under {@code "optim"} unless a prefix is given.
 */
public final class Optimizer {
    private final String name;
    private final GradientTransformation rule;
    private final Schedule schedule;
    private final List<Param> params;

    public Optimizer(String name, GradientTransformation rule, Schedule schedule, List<Param> params, StateTree state) {
        this(name, rule, schedule, params, state, "optim");
    }

    /** With the state under {@code prefix} (local methods keep each rank's moments under ranks/&lt;r&gt;/optim). */
    public Optimizer(String name, GradientTransformation rule, Schedule schedule, List<Param> params, StateTree state, String prefix) {
        this.name = name;
        this.rule = rule;
        this.schedule = schedule;
        this.params = List.copyOf(params);
        rule.init(this.params, state, prefix);
    }

    /** Applies one step; the grad buffers hold the updates afterwards. */
    public void step(long step) {
        rule.update(params, step);
        for (Param p : params) {
            float[] x = p.value(), u = p.grad();
            for (int j = 0; j < x.length; j++) x[j] += u[j];
        }
    }

    public String name() { return name; }
    public double lr(long step) { return schedule.lr(step); }
    public long stateBytes() { return rule.stateBytes(); }
}
