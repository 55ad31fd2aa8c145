package dopt.markov;

import dopt.state.StateTree;

/**
 * A Markov chain Z_1, Z_2, ... whose states are vectors of {@link #dim()} numbers (a noise vector,
 * or a data row the chain visits). The methods of this package never look at the chain's law,
 * only at its samples, in order: consecutive samples are correlated, which is the point.
 */
public interface MarkovChain {

    /** Length of one sample. */
    int dim();

    /** Advances the chain one step and writes the new state into {@code out} (length {@link #dim()}). */
    void next(double[] out);

    /**
     * The chain's mixing time τ in steps, as each implementation defines it in closed form (its
     * relaxation time 1/(1 − λ₂), λ₂ the second largest eigenvalue modulus); τ = 1 means i.i.d.
     */
    double mixingTime();

    /**
     * Registers the chain's state (its current state and RNG words) in {@code state} under
     * {@code prefix}, by reference: the tree holds the live buffers {@link #next} updates, so a
     * checkpoint of it captures the chain and {@link StateTree#restoreFrom} resumes it exactly.
     */
    void register(StateTree state, String prefix);
}
