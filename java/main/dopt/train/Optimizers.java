package dopt.train;

import dopt.job.Job;
import dopt.job.JobException;
import dopt.optim.GradientTransformation;
import dopt.optim.Optimizer;
import dopt.optim.Partition;
import dopt.optim.ProjectedAdam;
import dopt.optim.Rules;
import dopt.optim.Schedule;
import dopt.state.StateTree;
import dopt.tensor.Backend;
import dopt.tensor.Param;
import java.util.List;

/**
 * The job's optimizer section, typed, to its rule chain through {@link Rules} (the same
 * compositions optim-replay's names use). The launcher's pre-flight check ({@link #check}, from
 * {@link JobPlan#check}) and the ranks ({@link #build}) go through the same code, so whatever the
 * check accepts, the ranks can build.
 */
public final class Optimizers {
    private Optimizers() { }

    /** The job's learning-rate schedule. */
    static Schedule schedule(Job.OptimizerSpec o, int totalSteps) {
        return switch (o.schedule) {
            case CONSTANT -> Schedule.constant(o.lr);
            case WARMUP_COSINE -> Schedule.warmupCosine(o.lr, o.warmupSteps, totalSteps, o.minLrRatio);
        };
    }

    /**
     * The job's optimizer over {@code params}, its state registered in {@code state} under
     * {@code prefix}, Adam's element-wise step on {@code backend} when it is a device (null: the CPU).
     * Refuses, naming the field, what these parameters make useless: a GaLore rank at or above a
     * matrix's smaller side, preconditioner averaging for a rule without a preconditioner.
     */
    public static Optimizer build(Job job, List<Param> params, StateTree state, String prefix, Backend backend) throws JobException {
        checkGaloreRank(job, params);
        Optimizer o = build(job.optimizer, job.steps, job.seed, params, state, prefix, backend);
        if (job.comm.averagePreconditioner && o.preconditionerState().isEmpty())
            throw new JobException("'comm.average_preconditioner' averages the optimizer's second moments, and optimizer '"
                    + job.optimizer.name.id() + "' keeps none; allowed with: adam, adamw, rmsprop, frugal, galore, badam");
        return o;
    }

    /**
     * GaLore's rank must be below every projected matrix's smaller side: at or above it the
     * projection is the whole matrix, and basis plus moments exceed Adam's state.
     */
    private static void checkGaloreRank(Job job, List<Param> params) throws JobException {
        if (job.optimizer.name != Job.OptimizerName.GALORE) return;
        Param smallest = null;
        for (Param p : params)
            if (Partition.isMatrix(p) && (smallest == null || Math.min(p.rows(), p.cols()) < Math.min(smallest.rows(), smallest.cols())))
                smallest = p;
        if (smallest == null) return;
        int side = Math.min(smallest.rows(), smallest.cols());
        if (job.optimizer.rank >= side)
            throw new JobException("'optimizer.rank' " + job.optimizer.rank + " is at or above " + side + ", the smaller side of the "
                    + smallest.rows() + "x" + smallest.cols() + " matrix " + smallest.name() + ": GaLore would project onto the whole "
                    + "matrix and keep more state than Adam; the largest useful rank for this model is " + (side - 1));
    }

    /** The pre-flight check: builds the job's optimizer over {@code params} in a scratch state tree. */
    static void check(Job job, List<Param> params) throws JobException {
        build(job, params, new StateTree(), "optim", null);
    }

    static Optimizer build(Job.OptimizerSpec o, int totalSteps, long seed, List<Param> params, StateTree state, String prefix) {
        return build(o, totalSteps, seed, params, state, prefix, null);
    }

    /** Without the shape checks of {@link #build(Job, List, StateTree, String, Backend)}. */
    static Optimizer build(Job.OptimizerSpec o, int totalSteps, long seed, List<Param> params, StateTree state, String prefix,
                           Backend backend) {
        Schedule schedule = schedule(o, totalSteps);
        GradientTransformation chain = Rules.chain(o.clip > 0 ? o.clip : null, rule(o, seed, backend), schedule);
        return new Optimizer(o.name.id(), chain, schedule, params, state, prefix);
    }

    /** The rule's transformations, without clipping and learning rate. */
    private static List<GradientTransformation> rule(Job.OptimizerSpec o, long seed, Backend backend) {
        boolean randomOrder = o.order == Job.BlockOrder.RANDOM;
        return switch (o.name) {
            case SGD -> Rules.sgd(o.weightDecay, o.momentum, o.nesterov);
            case ADAM -> Rules.adam(o.beta1, o.beta2, o.epsOrDefault(), o.weightDecay, backend);
            case ADAMW -> Rules.adamw(o.beta1, o.beta2, o.epsOrDefault(), o.weightDecay, backend);
            case SIGNSGD -> Rules.signSgd();
            case RMSPROP -> Rules.rmsprop(RMSPROP_ALPHA, o.epsOrDefault(), o.weightDecay);
            case ADAGRAD -> Rules.adagrad(o.epsOrDefault(), 0);
            case KATE -> Rules.kate(o.eta, o.epsOrDefault());
            case FRUGAL -> Rules.frugal(o.rho, switch (o.projector) {
                        case BLOCKS -> Rules.FrugalProjector.BLOCKS;
                        case SVD -> Rules.FrugalProjector.SVD;
                        case RANDOM -> Rules.FrugalProjector.RANDOM;
                    }, o.updateGap, o.stateFree == Job.StateFree.SGD ? ProjectedAdam.FreeRule.SGD : ProjectedAdam.FreeRule.SIGN,
                    // lr_free / lr as optim-replay's vocabulary computes it, so that both give the same bits
                    o.lr * o.inactiveLrScale / o.lr, randomOrder, o.beta1, o.beta2, o.epsOrDefault(), o.weightDecay, seed,
                    moments(o, ProjectedAdam.Moments.RESET));
            case GALORE -> Rules.galore(o.rank, o.updateGap, o.scale, o.beta1, o.beta2, o.epsOrDefault(), o.weightDecay,
                    moments(o, ProjectedAdam.Moments.KEEP));
            case BADAM -> Rules.badam(o.switchEvery, o.blocks, randomOrder, o.beta1, o.beta2, o.epsOrDefault(), o.weightDecay, seed);
        };
    }

    private static ProjectedAdam.Moments moments(Job.OptimizerSpec o, ProjectedAdam.Moments byDefault) {
        return o.moments == null ? byDefault : ProjectedAdam.Moments.valueOf(o.moments.name());
    }

    /** RMSProp's smoothing constant α, torch.optim.RMSprop's default (jobs do not set it). */
    static final double RMSPROP_ALPHA = 0.99;
}
