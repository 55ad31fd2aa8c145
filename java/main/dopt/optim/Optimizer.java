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

    /**
     * Applies one step. When the rule ends in a pure scale (a chain ending in
     * {@link ScaleByLearningRate}) that scale is applied here, in the same pass as the add:
     * {@code x += u·s} rounds {@code u·s} and then the sum exactly as the separate passes did, so the
     * numbers are the same and the update is read once instead of read, written and read again.
     * The grad buffers are consumed: afterwards they hold the update before that trailing scale.
     */
    public void step(long step) {
        float s = rule.updateBeforeScale(params, step);
        for (Param p : params) {
            float[] x = p.value(), u = p.grad();
            if (s == 1f) {
                for (int j = 0; j < x.length; j++) x[j] += u[j];
            } else {
                for (int j = 0; j < x.length; j++) x[j] += u[j] * s;
            }
        }
    }

    public String name() { return name; }
    public double lr(long step) { return schedule.lr(step); }
    public long stateBytes() { return rule.stateBytes(); }

    /**
     * The rule's diagonal preconditioner buffers (Adam's and RMSProp's second moments, OASIS's
     * Hessian diagonal; see {@link GradientTransformation#preconditionerState}), live: what local
     * methods average across ranks. Empty for rules without one (SGD, signSGD, AdaGrad, KATE).
     */
    public List<float[]> preconditionerState() { return rule.preconditionerState(); }
}
