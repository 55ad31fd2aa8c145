package dopt.markov;

import dopt.state.StateTree;

/**
 * Accelerated SGD with the randomized batch (Beznosikov et al. 2023, arXiv:2305.15938,
 * Algorithm 1 "Randomized Accelerated GD"), from x⁰ = x_f⁰:
 * <pre>
 *   x_g^k     = θ x_f^k + (1 − θ) x^k
 *   g^k       = MLMC estimate of ∇f at x_g^k
 *   x_f^{k+1} = x_g^k − p γ g^k
 *   x^{k+1}   = η x_f^{k+1} + (p − η) x_f^k + (1 − p)(1 − β) x^k + (1 − p) β x_g^k
 * </pre>
 * {@link #withTheoryMomenta} sets the momenta as the paper's Theorem 1 does for a μ-strongly
 * convex f: β = √(4p²μγ/3), η = √(3/(μγ)), θ = (p η^{−1} − 1)/(β p η^{−1} − 1); p ∈ (0, 1] shrinks
 * the step against the noise (the theorem takes p of order 1/(1 + noise level)).
 * The output is x_f. State: x_f and x ({@link #register}); x_g and g are scratch.
 */
public final class MarkovAcceleratedSgd implements MarkovMethod {
    private final MlmcBatchEstimator estimator;
    private final double stepSize, theta, eta, beta, p;
    private final double[] x, xf, xg, g;

    public MarkovAcceleratedSgd(MlmcBatchEstimator estimator, double stepSize, double theta, double eta, double beta, double p, double[] x0) {
        if (!(stepSize > 0 && Double.isFinite(stepSize))) throw new IllegalArgumentException("accelerated SGD step size must be positive and finite: " + stepSize);
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("accelerated SGD p must be in (0, 1]: " + p);
        if (!Double.isFinite(theta) || !Double.isFinite(eta) || !Double.isFinite(beta))
            throw new IllegalArgumentException("accelerated SGD momenta must be finite: theta=" + theta + " eta=" + eta + " beta=" + beta);
        if (x0.length != estimator.dim()) throw new IllegalArgumentException("x0 has " + x0.length + " entries, operator " + estimator.dim());
        this.estimator = estimator;
        this.stepSize = stepSize;
        this.theta = theta;
        this.eta = eta;
        this.beta = beta;
        this.p = p;
        this.x = x0.clone();
        this.xf = x0.clone();
        this.xg = new double[x0.length];
        this.g = new double[x0.length];
    }

    /** Momenta of the paper's Theorem 1 for strong convexity {@code mu}; needs μγ &lt; 3/4 so that θ ∈ (0, 1). */
    public static MarkovAcceleratedSgd withTheoryMomenta(MlmcBatchEstimator estimator, double stepSize, double mu, double p, double[] x0) {
        if (!(mu > 0 && mu * stepSize < 0.75)) throw new IllegalArgumentException("need mu > 0 and mu*gamma < 3/4, got mu=" + mu + " gamma=" + stepSize);
        double beta = Math.sqrt(4 * p * p * mu * stepSize / 3);
        double eta = Math.sqrt(3 / (mu * stepSize));
        double theta = (p / eta - 1) / (beta * p / eta - 1);
        return new MarkovAcceleratedSgd(estimator, stepSize, theta, eta, beta, p, x0);
    }

    public double theta() { return theta; }

    public double eta() { return eta; }

    public double beta() { return beta; }

    @Override public int step() {
        int d = x.length;
        for (int i = 0; i < d; i++) xg[i] = theta * xf[i] + (1 - theta) * x[i];
        int n = estimator.estimate(xg, g);
        for (int i = 0; i < d; i++) {
            double xfNext = xg[i] - p * stepSize * g[i];
            x[i] = eta * xfNext + (p - eta) * xf[i] + (1 - p) * (1 - beta) * x[i] + (1 - p) * beta * xg[i];
            xf[i] = xfNext;
        }
        return n;
    }

    /** x_f, the method's output. */
    @Override public double[] x() { return xf; }

    /** The auxiliary sequence x^k. */
    public double[] momentum() { return x; }

    @Override public long samples() { return estimator.samples(); }

    /** {@code prefix/x_f}, {@code prefix/x} (the auxiliary sequence), and the estimator's under {@code prefix/mlmc}. */
    @Override public void register(StateTree state, String prefix) {
        state.putDoubles(prefix + "/x_f", xf);
        state.putDoubles(prefix + "/x", x);
        estimator.register(state, prefix + "/mlmc");
    }
}
