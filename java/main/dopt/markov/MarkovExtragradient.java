package dopt.markov;

import dopt.state.StateTree;

/**
 * Extragradient for a (strongly) monotone variational inequality with Markovian samples
 * (Beznosikov et al. 2023, arXiv:2305.15938, Algorithm 2, "Randomized ExtraGradient"): each
 * half step draws its own randomized batch from the continuing chain,
 * <pre>
 *   x^{k+1/2} = x^k − γ g^k,        g^k       the MLMC estimate of F at x^k,
 *   x^{k+1}   = x^k − γ g^{k+1/2},  g^{k+1/2} the MLMC estimate of F at x^{k+1/2}.
 * </pre>
 * With M = 1 and B = 1 it is plain stochastic extragradient on consecutive chain samples.
 * State: x and the last x^{k+1/2} ({@link #register}); g is scratch.
 */
public final class MarkovExtragradient implements MarkovMethod {
    private final MlmcBatchEstimator estimator;
    private final double stepSize;
    private final double[] x, half, g;

    public MarkovExtragradient(MlmcBatchEstimator estimator, double stepSize, double[] x0) {
        if (!(stepSize > 0 && Double.isFinite(stepSize))) throw new IllegalArgumentException("extragradient step size must be positive and finite: " + stepSize);
        if (x0.length != estimator.dim()) throw new IllegalArgumentException("x0 has " + x0.length + " entries, operator " + estimator.dim());
        this.estimator = estimator;
        this.stepSize = stepSize;
        this.x = x0.clone();
        this.half = new double[x0.length];
        this.g = new double[x0.length];
    }

    @Override public int step() {
        int n = estimator.estimate(x, g);
        for (int i = 0; i < x.length; i++) half[i] = x[i] - stepSize * g[i];
        n += estimator.estimate(half, g);
        for (int i = 0; i < x.length; i++) x[i] -= stepSize * g[i];
        return n;
    }

    /** The extrapolated point x^{k+1/2} of the last step. */
    public double[] halfStep() { return half; }

    @Override public double[] x() { return x; }

    @Override public long samples() { return estimator.samples(); }

    /** {@code prefix/x}, {@code prefix/half} (x^{k+1/2}), and the estimator's under {@code prefix/mlmc}. */
    @Override public void register(StateTree state, String prefix) {
        state.putDoubles(prefix + "/x", x);
        state.putDoubles(prefix + "/half", half);
        estimator.register(state, prefix + "/mlmc");
    }
}
