package dopt.compress;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * Error feedback around a compressor, split into what a worker sends and what every rank does with
 * the average of the messages. A step: {@code bytes = encode(grad, message)}; the messages are
 * averaged over ranks (an allreduce); {@code decode(averaged, direction)}; the optimizer then
 * steps along {@code direction}. Worker state is per rank; server state is identical on all ranks.
 */
public interface ErrorFeedback {

    /**
     * Registers this rank's own state under {@code rankPrefix} and the state every rank holds
     * identically under {@code sharedPrefix} (checkpoints keep every rank's own state).
     */
    void init(int n, StateTree state, String rankPrefix, String sharedPrefix);

    /** Writes this worker's message for gradient {@code grad}; returns its wire bytes. */
    long encode(float[] grad, float[] message, Rng rng);

    /** Turns the mean of all workers' messages into the direction the optimizer follows. */
    void decode(float[] meanMessage, float[] direction);
}
