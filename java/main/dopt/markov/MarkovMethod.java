package dopt.markov;

import dopt.state.StateTree;

/**
 * An iterative method that draws its stochastic operator values through a
 * {@link MlmcBatchEstimator} over a Markov chain. Runs are compared at equal numbers of chain
 * samples, not of iterations, since one iteration may draw many samples.
 *
 * <p>A method's state (iterates, auxiliary sequences) and its estimator's (sample counter, RNG
 * words, the chain's state) live in a {@link StateTree} once {@link #register}ed, by reference, so
 * a checkpoint of the tree restores a run exactly.
 */
public interface MarkovMethod {

    /** One iteration; returns the chain samples it drew. */
    int step();

    /** The current point (the method's output), live. */
    double[] x();

    /** Chain samples drawn so far. */
    long samples();

    /**
     * Registers the method's state under {@code prefix} by reference (the iterates), and the
     * estimator's under {@code prefix/mlmc}. Call it before the first step or after any step: the
     * tree then holds the live buffers that {@link #step} updates.
     */
    void register(StateTree state, String prefix);
}
