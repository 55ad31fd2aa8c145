package dopt.train;

import dopt.comm.Communicator;
import dopt.optim.GlobalNorm;
import dopt.optim.Optimizer;
import dopt.tensor.Param;
import java.util.List;

/**
 * Local SGD (Stich 2019), and with Adam/RMSProp/OASIS scaling the local methods of "local methods
 * with adaptive scaling": every rank steps its own optimizer on its own gradients; every
 * {@code h} steps the parameters (and, if asked, the preconditioner: the rule's second moments) are
 * averaged over ranks, together with the mean local loss and the stop vote, in one allreduce. Only
 * those averaging steps are agreed steps.
 */
public final class LocalSteps implements ExchangePolicy {
    private final List<Param> params;
    private final Optimizer optimizer;
    private final Communicator comm;
    private final int h;
    /** The optimizer state to average at each sync (the diagonal preconditioner), or none. */
    private final List<float[]> preconditioner;
    private final float[] flat;
    private final int n;
    private final StepOutcome outcome = new StepOutcome();
    /**
     * Sum of the local losses since the last average. Always 0 at an agreed step, where checkpoints
     * are taken, so it needs no place in the state tree.
     */
    private double lossSum;

    /**
     * {@code optimizer} steps {@code params} on this rank's gradients; every {@code h} steps the
     * parameters and the buffers in {@code preconditioner} (empty: the preconditioner stays local)
     * are averaged over {@code comm}'s ranks. Public for experiments that simulate clients as thread ranks.
     */
    public LocalSteps(List<Param> params, Optimizer optimizer, Communicator comm, int h, List<float[]> preconditioner) {
        this.params = params;
        this.optimizer = optimizer;
        this.comm = comm;
        this.h = h;
        this.preconditioner = preconditioner;
        this.n = Flat.length(params);
        this.flat = new float[n + 2];
    }

    @Override
    public StepOutcome step(long s, float localLoss, boolean stopVote, UpdateGuard guard) {
        outcome.reset();
        lossSum += localLoss;
        outcome.gradNorm = (float) Math.sqrt(GlobalNorm.squared(params));
        outcome.lr = (float) optimizer.lr(s);
        optimizer.step(s);
        if (s % h != 0) return outcome;
        long t0 = System.nanoTime();
        Flat.gather(params, Flat.VALUE, flat);
        flat[n] = (float) (lossSum / h);
        flat[n + 1] = stopVote ? 1f : 0f;
        comm.allreduceMean(flat, 0, n + 2);
        Flat.scatter(flat, params, Flat.VALUE);
        for (float[] moment : preconditioner) comm.allreduceMean(moment, 0, moment.length);
        outcome.commNanos = System.nanoTime() - t0;
        lossSum = 0;
        outcome.agreed = true;
        outcome.agreedLoss = flat[n];
        outcome.stop = flat[n + 1] > 0;
        // the local steps are taken; what the guard can still refuse is to go on from this average. Only
        // agreed values may decide (each rank's own gradient norm differs), so the norm passed is 0.
        outcome.veto = guard.veto(s, outcome.agreedLoss, 0.0);
        return outcome;
    }

    @Override
    public String describe() {
        return "local steps, H = " + h + (preconditioner.isEmpty() ? "" : ", preconditioner averaged");
    }
}
