package dopt.train;

/**
 * What one step of an {@link ExchangePolicy} produced, for the loop and the trace. One instance per
 * policy, overwritten every step, so the hot loop allocates nothing.
 */
public final class StepOutcome {
    /** Every rank holds the same parameters after this step (always, for synchronous policies). */
    boolean agreed;
    /**
     * This rank's own loss, when the policy drew its batches itself ({@link ExchangePolicy#drawsOwnBatches}):
     * the mean over the local steps it ran this step, NaN when it ran none.
     */
    float localLoss = Float.NaN;
    /** The loss all ranks agree on (mean over ranks at an agreed step; NaN otherwise). */
    float agreedLoss = Float.NaN;
    /** Some rank asked to stop (known only at an agreed step). */
    boolean stop;
    /** ℓ2 norm of the gradient the optimizer applied (the combined one, or this rank's own). */
    float gradNorm;
    /** The learning rate of this step. */
    float lr;
    /** Why the guard refused to apply the agreed update, or null when it was applied. */
    String veto;
    /** Wall time spent exchanging, in nanoseconds. */
    long commNanos;
    /** Peer messages rejected by validation in this step (each counted once per receiving rank). */
    int rejected;

    /** {@link #agreed}, for callers outside the package (experiments that drive a policy themselves). */
    public boolean agreed() { return agreed; }

    void reset() {
        agreed = false;
        localLoss = Float.NaN;
        agreedLoss = Float.NaN;
        stop = false;
        gradNorm = Float.NaN;
        lr = Float.NaN;
        veto = null;
        commNanos = 0;
        rejected = 0;
    }
}
