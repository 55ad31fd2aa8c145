package dopt.train;

import dopt.job.Job;
import dopt.optim.AddDecayedWeights;
import dopt.optim.Chain;
import dopt.optim.ClipByGlobalNorm;
import dopt.optim.GradientTransformation;
import dopt.optim.Optimizer;
import dopt.optim.ScaleByAdam;
import dopt.optim.ScaleByLearningRate;
import dopt.optim.Schedule;
import dopt.optim.TraceMomentum;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/** Builds the optimizer a job names, as a chain of gradient transformations. */
final class Optimizers {
    private Optimizers() { }

    static Optimizer build(Job.OptimizerSpec o, int totalSteps, List<Param> params, StateTree state) {
        Schedule schedule = switch (o.schedule) {
            case CONSTANT -> Schedule.constant(o.lr);
            case WARMUP_COSINE -> Schedule.warmupCosine(o.lr, o.warmupSteps, totalSteps, o.minLrRatio);
        };
        List<GradientTransformation> parts = new ArrayList<>();
        if (o.clip > 0) parts.add(new ClipByGlobalNorm(o.clip));
        switch (o.name) {
            case SGD -> {
                // torch.optim.SGD: L2 decay joins the gradient before momentum
                parts.add(new AddDecayedWeights(o.weightDecay));
                if (o.momentum > 0) parts.add(new TraceMomentum(o.momentum, o.nesterov));
            }
            case ADAM -> {
                parts.add(new AddDecayedWeights(o.weightDecay));
                parts.add(new ScaleByAdam(o.beta1, o.beta2, o.eps));
            }
            case ADAMW -> {
                parts.add(new ScaleByAdam(o.beta1, o.beta2, o.eps));
                parts.add(new AddDecayedWeights(o.weightDecay));
            }
        }
        parts.add(new ScaleByLearningRate(schedule));
        String name = o.name.name().toLowerCase();
        return new Optimizer(name, new Chain(parts.toArray(GradientTransformation[]::new)), schedule, params, state);
    }
}
