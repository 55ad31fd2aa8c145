package dopt.sampling;

import dopt.state.StateTree;

/** The drift b(x) of an {@link ItoChain}; may be stochastic (a mini-batch gradient drawing its own batch). */
public interface Drift {

    int dim();

    /** Writes b(x) into {@code out}; must not keep references to the arrays. */
    void evaluate(double[] x, double[] out);

    /**
     * Registers the drift's own state (a mini-batch drift's RNG words) under {@code prefix}, by
     * reference; a deterministic drift has none. A stochastic drift must override this, or a
     * resumed chain draws other batches.
     */
    default void register(StateTree state, String prefix) {}
}
