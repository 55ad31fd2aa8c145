package dopt.markov;

import dopt.state.StateTree;

/**
 * SGD with the randomized batch: x ← x − γ g, g from {@link MlmcBatchEstimator} at x
 * (Beznosikov et al. 2023, arXiv:2305.15938: Algorithm 1 with p = 1 and no momentum, the method
 * of their non-convex and strongly convex SGD results). With M = 1 and B = 1 it is plain SGD on
 * consecutive chain samples. State: x ({@link #register}), g is scratch.
 */
public final class MarkovSgd implements MarkovMethod {
    private final MlmcBatchEstimator estimator;
    private final double stepSize;
    private final double[] x, g;

    public MarkovSgd(MlmcBatchEstimator estimator, double stepSize, double[] x0) {
        if (!(stepSize > 0 && Double.isFinite(stepSize))) throw new IllegalArgumentException("SGD step size must be positive and finite: " + stepSize);
        if (x0.length != estimator.dim()) throw new IllegalArgumentException("x0 has " + x0.length + " entries, operator " + estimator.dim());
        this.estimator = estimator;
        this.stepSize = stepSize;
        this.x = x0.clone();
        this.g = new double[x0.length];
    }

    @Override public int step() {
        int n = estimator.estimate(x, g);
        for (int i = 0; i < x.length; i++) x[i] -= stepSize * g[i];
        return n;
    }

    @Override public double[] x() { return x; }

    @Override public long samples() { return estimator.samples(); }

    /** {@code prefix/x}, and the estimator's state under {@code prefix/mlmc}. */
    @Override public void register(StateTree state, String prefix) {
        state.putDoubles(prefix + "/x", x);
        estimator.register(state, prefix + "/mlmc");
    }
}
