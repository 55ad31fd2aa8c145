package dopt.markov;

/**
 * Stochastic gradient of f(x) = ½ Σ a_i (x_i − x*_i)² with additive chain noise:
 * F(x, z) = a ⊙ (x − x*) + z. With a zero-mean stationary chain (an {@link Ar1Chain}) its
 * stationary mean is ∇f, and consecutive noises are correlated over the chain's mixing time.
 */
public final class NoisyQuadraticGradient implements StochasticOperator {
    private final double[] curvature, minimizer;

    public NoisyQuadraticGradient(double[] curvature, double[] minimizer) {
        if (curvature.length != minimizer.length) throw new IllegalArgumentException("curvature has " + curvature.length + " entries, minimizer " + minimizer.length);
        for (double a : curvature) if (!(a > 0 && Double.isFinite(a))) throw new IllegalArgumentException("curvatures must be positive and finite: " + a);
        this.curvature = curvature.clone();
        this.minimizer = minimizer.clone();
    }

    public double[] minimizer() { return minimizer.clone(); }

    @Override public int dim() { return curvature.length; }

    @Override public void apply(double[] x, double[] z, double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = curvature[i] * (x[i] - minimizer[i]) + z[i];
    }
}
