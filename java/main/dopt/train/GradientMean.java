package dopt.train;

import dopt.comm.Communicator;
import dopt.optim.GlobalNorm;
import dopt.optim.Optimizer;
import dopt.tensor.Param;
import java.util.List;

/**
 * Synchronous data parallelism (PyTorch DDP, Horovod): every step the ranks agree on one gradient
 * (a {@link GradientCombiner} decides how: dense allreduce, compressed messages, low-rank factors),
 * and every rank applies the same optimizer step to it, so replicas stay bit-identical.
 *
 * <p>The gradients travel in one flat buffer followed by the batch loss and the stop vote: the dense
 * mean carries all three in one allreduce, the others reduce the two scalars separately.
 */
final class GradientMean implements ExchangePolicy {
    private final List<Param> params;
    private final Optimizer optimizer;
    private final GradientCombiner combiner;
    private final float[] flat;
    private final int n;
    private final StepOutcome outcome = new StepOutcome();

    GradientMean(List<Param> params, Optimizer optimizer, GradientCombiner combiner) {
        this.params = params;
        this.optimizer = optimizer;
        this.combiner = combiner;
        this.n = Flat.length(params);
        this.flat = new float[n + 2];
    }

    @Override
    public StepOutcome step(long s, float localLoss, boolean stopVote, UpdateGuard guard) {
        outcome.reset();
        Flat.gather(params, Flat.GRAD, flat);
        flat[n] = localLoss;
        flat[n + 1] = stopVote ? 1f : 0f;
        long t0 = System.nanoTime();
        outcome.rejected = combiner.combine(s, flat, n);
        outcome.commNanos = System.nanoTime() - t0;
        Flat.scatter(flat, params, Flat.GRAD);
        applyAgreed(outcome, s, flat, n, params, optimizer, guard);
        return outcome;
    }

    /**
     * The end of an agreed step whose gradient is in the parameters' grad buffers and whose agreed
     * loss and stop vote are {@code flat[n]}, {@code flat[n+1]}: fills {@code outcome} and, unless the
     * guard vetoes, applies the optimizer (also {@link ByzVrMarina}'s).
     */
    static void applyAgreed(StepOutcome outcome, long s, float[] flat, int n, List<Param> params, Optimizer optimizer, UpdateGuard guard) {
        outcome.agreed = true;
        outcome.agreedLoss = flat[n];
        outcome.stop = flat[n + 1] > 0;
        double norm = Math.sqrt(GlobalNorm.squared(params));
        outcome.gradNorm = (float) norm;
        outcome.lr = (float) optimizer.lr(s);
        outcome.veto = guard.veto(s, outcome.agreedLoss, norm);
        if (outcome.veto == null) optimizer.step(s);
    }

    @Override
    public String describe() { return combiner.describe(); }

    /**
     * How the ranks turn their gradients into one: replaces {@code flat[0, n)} by the agreed
     * gradient and {@code flat[n]}, {@code flat[n+1]} (loss, stop vote) by their means over ranks.
     */
    interface GradientCombiner {
        /** A collective call; returns the number of peer messages rejected by validation. */
        int combine(float[] flat, int n);

        /** {@link #combine} at step {@code s}, for combiners whose exchange depends on the step (sampled ranks). */
        default int combine(long s, float[] flat, int n) { return combine(flat, n); }

        String describe();
    }

    /** The plain mean: one allreduce carries the gradients, the loss and the stop vote. */
    static final class Dense implements GradientCombiner {
        private final Communicator comm;

        Dense(Communicator comm) { this.comm = comm; }

        @Override
        public int combine(float[] flat, int n) {
            comm.allreduceMean(flat, 0, n + 2);
            return 0;
        }

        @Override
        public String describe() { return ""; }
    }
}
