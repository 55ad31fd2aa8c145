package dopt.markov;

/**
 * Gradient of one least-squares term at a data row z = (a, y) the chain visits (length d + 1):
 * F(x, z) = a (aᵀx − y). Under a {@link LazyRandomWalk} over the rows the stationary mean is the
 * gradient of the finite sum (1/n) Σ ½ (a_iᵀx − y_i)².
 */
public final class LeastSquaresRowGradient implements StochasticOperator {
    private final int dim;

    public LeastSquaresRowGradient(int dim) {
        if (dim < 1) throw new IllegalArgumentException("least-squares dimension must be positive: " + dim);
        this.dim = dim;
    }

    @Override public int dim() { return dim; }

    @Override public void apply(double[] x, double[] z, double[] out) {
        double r = -z[dim];
        for (int i = 0; i < dim; i++) r += z[i] * x[i];
        for (int i = 0; i < dim; i++) out[i] = r * z[i];
    }
}
