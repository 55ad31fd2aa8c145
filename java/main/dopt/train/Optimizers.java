package dopt.train;

import dopt.job.Job;
import dopt.optim.GradientTransformation;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the optimizer a job names, through {@link NamedRules} (the same rules optim-replay uses). */
final class Optimizers {
    private Optimizers() { }

    private static Map<String, Object> adam(Job.OptimizerSpec o, Map<String, Object> hp) {
        hp.put("beta1", o.beta1);
        hp.put("beta2", o.beta2);
        hp.put("eps", o.eps);
        return hp;
    }

    /** The job's learning-rate schedule. */
    static Schedule schedule(Job.OptimizerSpec o, int totalSteps) {
        return switch (o.schedule) {
            case CONSTANT -> Schedule.constant(o.lr);
            case WARMUP_COSINE -> Schedule.warmupCosine(o.lr, o.warmupSteps, totalSteps, o.minLrRatio);
        };
    }

    static Optimizer build(Job.OptimizerSpec o, int totalSteps, long seed, List<Param> params, StateTree state, String prefix) {
        return build(o, totalSteps, seed, params, state, prefix, null);
    }

    /** With Adam's step on {@code backend} when it is a device backend (see {@link NamedRules#build(String, Map, Schedule, dopt.tensor.Backend)}). */
    static Optimizer build(Job.OptimizerSpec o, int totalSteps, long seed, List<Param> params, StateTree state, String prefix,
                           dopt.tensor.Backend backend) {
        Schedule schedule = schedule(o, totalSteps);
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("lr", o.lr);
        if (o.clip > 0) hp.put("clip", o.clip);
        String rule = o.name.name().toLowerCase();
        switch (o.name) {
            case SGD -> {
                if (o.momentum > 0) {
                    rule = "sgdm";
                    hp.put("momentum", o.momentum);
                    hp.put("nesterov", o.nesterov ? 1.0 : 0.0);
                }
                hp.put("weight_decay", o.weightDecay);
            }
            case ADAM, ADAMW -> adam(o, hp).put("weight_decay", o.weightDecay);
            case SIGNSGD -> { }
            case KATE -> {
                hp.put("eta", o.eta);
                hp.put("eps", o.eps);
            }
            case RMSPROP -> {
                hp.put("eps", o.eps);
                hp.put("weight_decay", o.weightDecay);
            }
            case ADAGRAD -> hp.put("eps", o.eps);
            case FRUGAL -> {
                adam(o, hp);
                hp.put("rho", o.rho);
                hp.put("update_gap", o.updateGap);
                hp.put("lr_free", o.lr * o.inactiveLrScale);
                hp.put("projector", o.projector.name().toLowerCase());
                hp.put("state_free", o.stateFree.name().toLowerCase());
                hp.put("order", o.order.name().toLowerCase());
                hp.put("seed", seed);
            }
            case GALORE -> {
                adam(o, hp);
                hp.put("rank", o.rank);
                hp.put("update_gap", o.updateGap);
                hp.put("scale", o.scale);
            }
            case BADAM -> {
                adam(o, hp);
                hp.put("switch_every", o.switchEvery);
                hp.put("order", o.order.name().toLowerCase());
                hp.put("seed", seed);
            }
        }
        if (o.name == Job.OptimizerName.FRUGAL || o.name == Job.OptimizerName.GALORE || o.name == Job.OptimizerName.BADAM)
            hp.put("weight_decay", o.weightDecay);
        GradientTransformation chain = NamedRules.build(rule, hp, schedule, backend);
        String name = o.name.name().toLowerCase();
        return new Optimizer(name, chain, schedule, params, state, prefix);
    }
}
