package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;
import java.util.Map;

/** Test helpers: an optimizer from NamedRules over given parameters, and one step with a given gradient. */
final class NamedOptimizers {
    private NamedOptimizers() { }

    static Optimizer optimizer(String name, Map<String, Object> hp, List<Param> params) {
        return new Optimizer(name, NamedRules.build(name, hp), Schedule.constant(NamedRules.lr(name, hp)), params, new StateTree());
    }

    static Optimizer optimizer(String name, Map<String, Object> hp, Param p) {
        return optimizer(name, hp, List.of(p));
    }

    /** Writes {@code g} into {@code p}'s gradient and takes step {@code s}. */
    static void step(Optimizer o, Param p, long s, float... g) {
        System.arraycopy(g, 0, p.grad(), 0, g.length);
        o.step(s);
    }
}
