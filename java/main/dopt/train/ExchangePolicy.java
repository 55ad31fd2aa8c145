package dopt.train;

/**
 * What ranks send each other in one step and how the received messages become the update: the seam
 * between the round loop (which knows steps, evaluation, checkpoints and stop requests) and every
 * distributed idea (dense mean, compressed gradients with error feedback, PowerSGD, local steps;
 * later robust aggregation, federated strategies and pipeline stages).
 *
 * <p>A policy receives this rank's gradients in the parameters' grad buffers, talks through the
 * communicator, applies the optimizer, and says in a {@link StepOutcome} whether this step is one on
 * which every rank agrees (the loop checkpoints, evaluates and checks replicas only there). It
 * registers its own state (error-feedback memory, factors, counters) in the state tree by role.
 */
public interface ExchangePolicy {

    /**
     * Step {@code s}: this rank's batch loss is {@code localLoss}, its gradients are in the
     * parameters' grad buffers and {@code stopVote} is whether it wants the run to stop. Exchanges,
     * combines and (unless {@code guard} vetoes the agreed step) applies the optimizer. A collective call.
     */
    StepOutcome step(long s, float localLoss, boolean stopVote, UpdateGuard guard);

    /**
     * True when the policy draws its batches itself inside {@link #step} (federated clients, each on
     * its own data): the loop then computes no gradient before the step, passes NaN as the local loss
     * and traces {@link StepOutcome#localLoss} instead.
     */
    default boolean drawsOwnBatches() { return false; }

    /**
     * Per-round tables the trace file holds next to the [step][rank] metrics, by their path in the file
     * (MeritFed's {@code federated/weights}, [round][client]), for rounds 1..{@code steps}; none by default.
     */
    default java.util.Map<String, dopt.io.TraceData.Floats> traceTables(int steps) { return java.util.Map.of(); }

    /**
     * Bytes of optimizer state this rank keeps when the policy runs optimizers of its own (federated:
     * the hosted clients' and the server's), for the summary; empty when the replica's optimizer is the one.
     */
    default java.util.OptionalLong optimizerStateBytes() { return java.util.OptionalLong.empty(); }

    /**
     * True when every rank holds the same parameters at an agreed step, so the loop may compare their
     * hashes ({@code verify_replicas}) and decide alone, identically, on anything about them. False
     * for a pipeline, whose ranks hold different stages of one model.
     */
    default boolean replicated() { return true; }

    /** What the policy sends, for the run's first line ("" for the plain dense mean). */
    String describe();
}
