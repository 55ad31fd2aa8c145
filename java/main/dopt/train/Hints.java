package dopt.train;

import dopt.job.Job;
import java.util.Locale;

/** What a user can change when a run fails, in the job's own terms. */
final class Hints {
    private Hints() { }

    /** For a diverging run: the step size, the rule's epsilon where it has one, clipping, local steps. */
    static String forDivergence(Job job) {
        Job.OptimizerSpec o = job.optimizer;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Lower optimizer.lr (now %g)", o.lr));
        if (usesEps(o.name)) sb.append(String.format(Locale.ROOT, ", raise optimizer.eps (now %g)", o.eps));
        if (o.clip == 0) sb.append(", or enable optimizer.clip");
        if (job.comm.localSteps > 1) sb.append(", or lower comm.local_steps (now ").append(job.comm.localSteps).append(')');
        return sb.append('.').toString();
    }

    /** Rules that divide by a root of accumulated squares plus eps: a tiny eps lets the first steps explode. */
    private static boolean usesEps(Job.OptimizerName name) {
        return switch (name) {
            case ADAM, ADAMW, RMSPROP, ADAGRAD, KATE, FRUGAL, GALORE, BADAM -> true;
            case SGD, SIGNSGD -> false;
        };
    }
}
