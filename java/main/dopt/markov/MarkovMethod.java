package dopt.markov;

/**
 * An iterative method that draws its stochastic operator values through a
 * {@link MlmcBatchEstimator} over a Markov chain. Runs are compared at equal numbers of chain
 * samples, not of iterations, since one iteration may draw many samples.
 */
public interface MarkovMethod {

    /** One iteration; returns the chain samples it drew. */
    int step();

    /** The current point (the method's output), live. */
    double[] x();

    /** Chain samples drawn so far. */
    long samples();
}
