package dopt.sampling;

/** The drift b(x) of an {@link ItoChain}; may be stochastic (a mini-batch gradient drawing its own batch). */
public interface Drift {

    int dim();

    /** Writes b(x) into {@code out}; must not keep references to the arrays. */
    void evaluate(double[] x, double[] out);
}
