package dopt.sampling;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * Bayesian linear regression y = Xw + ε, ε ~ N(0, s² I), prior w ~ N(0, α^{−1} I). The posterior
 * is Gaussian (Bishop, Pattern Recognition and Machine Learning, eqs. 3.53–3.54):
 * precision Λ = α I + XᵀX / s², mean μ = Λ^{−1} Xᵀy / s². Its potential
 * U(w) = ½ α |w|² + Σ_i (x_iᵀw − y_i)² / (2 s²) is what SGLD samples exp(−U) from (β = 1).
 */
public final class BayesianLinearRegression {
    private final double[] x, y;
    private final int n, dim;
    private final double priorPrecision, noiseVariance;

    /** {@code x}: n rows of {@code dim} features, row-major. */
    public BayesianLinearRegression(double[] x, double[] y, int dim, double priorPrecision, double noiseVariance) {
        if (dim < 1 || x.length % dim != 0 || x.length / dim != y.length || y.length == 0)
            throw new IllegalArgumentException("need n rows of " + dim + " features and n targets, got " + x.length + " numbers and " + y.length + " targets");
        if (!(priorPrecision > 0 && Double.isFinite(priorPrecision))) throw new IllegalArgumentException("prior precision alpha must be positive: " + priorPrecision);
        if (!(noiseVariance > 0 && Double.isFinite(noiseVariance))) throw new IllegalArgumentException("noise variance s^2 must be positive: " + noiseVariance);
        for (double v : x) if (!Double.isFinite(v)) throw new IllegalArgumentException("design matrix has a non-finite entry: " + v);
        for (double v : y) if (!Double.isFinite(v)) throw new IllegalArgumentException("targets have a non-finite entry: " + v);
        this.x = x;
        this.y = y;
        this.n = y.length;
        this.dim = dim;
        this.priorPrecision = priorPrecision;
        this.noiseVariance = noiseVariance;
    }

    public int dim() { return dim; }

    public int rows() { return n; }

    /** Λ = α I + XᵀX / s². */
    public double[] posteriorPrecision() {
        double[] p = new double[dim * dim];
        for (int r = 0; r < n; r++)
            for (int i = 0; i < dim; i++) {
                double xi = x[r * dim + i] / noiseVariance;
                for (int j = 0; j < dim; j++) p[i * dim + j] += xi * x[r * dim + j];
            }
        for (int i = 0; i < dim; i++) p[i * dim + i] += priorPrecision;
        return p;
    }

    public double[] posteriorCovariance() { return SymmetricMatrices.inversePositiveDefinite(posteriorPrecision(), dim); }

    public double[] posteriorMean() {
        double[] rhs = new double[dim];
        for (int r = 0; r < n; r++) for (int i = 0; i < dim; i++) rhs[i] += x[r * dim + i] * y[r] / noiseVariance;
        return SymmetricMatrices.solvePositiveDefinite(posteriorPrecision(), rhs, dim);
    }

    /** The exact ∇U. */
    public Drift fullGradient() {
        return minibatchGradient(n, null);
    }

    /**
     * The unbiased mini-batch estimate ∇U ≈ α w + (n/B) Σ_{i ∈ batch} x_i (x_iᵀw − y_i)/s², the batch
     * drawn uniformly with replacement from {@code rng} at every call; B ≥ n gives the exact gradient.
     * Its state is {@code rng}'s words ({@link Drift#register}: {@code prefix/rng}).
     */
    public Drift minibatchGradient(int batch, Rng rng) {
        if (batch < 1) throw new IllegalArgumentException("mini-batch size must be >= 1: " + batch);
        boolean full = batch >= n;
        if (!full && rng == null) throw new IllegalArgumentException("a mini-batch gradient needs a random stream");
        int b = full ? n : batch;
        double scale = (double) n / b / noiseVariance;
        return new Drift() {
            @Override public int dim() { return dim; }
            @Override public void evaluate(double[] w, double[] out) {
                for (int i = 0; i < dim; i++) out[i] = priorPrecision * w[i];
                for (int k = 0; k < b; k++) {
                    int r = full ? k : rng.nextInt(n);
                    int o = r * dim;
                    double res = -y[r];
                    for (int i = 0; i < dim; i++) res += x[o + i] * w[i];
                    res *= scale;
                    for (int i = 0; i < dim; i++) out[i] += res * x[o + i];
                }
            }
            @Override public void register(StateTree state, String prefix) {
                if (!full) state.putLongs(prefix + "/rng", rng.state());
            }
        };
    }
}
