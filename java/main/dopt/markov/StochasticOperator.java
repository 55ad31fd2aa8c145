package dopt.markov;

/**
 * An operator F(x, z) evaluated at one chain sample z: a stochastic gradient ∇F(x, z) for
 * minimization, or the operator of a variational inequality. Its mean under the chain's
 * stationary law is the deterministic operator the methods solve for.
 */
public interface StochasticOperator {

    /** Dimension of x and of the result. */
    int dim();

    /** Writes F(x, z) into {@code out}; must not keep references to the arrays. */
    void apply(double[] x, double[] z, double[] out);
}
