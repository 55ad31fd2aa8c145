package dopt.experiments;

import dopt.random.Rng;

/**
 * The synthetic strongly convex quadratic of the heavy-tail papers' toy experiments:
 * f(x) = ½ xᵀAx with A = Q·diag(λ)·Qᵀ, eigenvalues λ log-spaced from μ to L (condition number
 * L/μ) and Q a random orthogonal matrix (Gram–Schmidt of a Gaussian matrix), so that the
 * coordinates are coupled and no per-coordinate method gets the eigenbasis for free. The
 * minimiser is x* = 0 and f* = 0, so f(x) is the optimality gap. A is dense, d × d, in double.
 */
public final class RotatedQuadratic {
    private final int d;
    private final double[] a;
    private final double mu, lipschitz;

    public RotatedQuadratic(int d, double mu, double lipschitz, Rng rng) {
        if (d < 1 || !(mu > 0) || !(lipschitz >= mu)) throw new IllegalArgumentException("bad quadratic: d=" + d + " mu=" + mu + " L=" + lipschitz);
        this.d = d;
        this.mu = mu;
        this.lipschitz = lipschitz;
        double[] q = new double[d * d]; // rows are the orthonormal eigenvectors
        for (int i = 0; i < d * d; i++) q[i] = rng.nextGaussian();
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += q[i * d + j] * q[k * d + j];
                for (int j = 0; j < d; j++) q[i * d + j] -= dot * q[k * d + j];
            }
            double n = 0;
            for (int j = 0; j < d; j++) n += q[i * d + j] * q[i * d + j];
            n = Math.sqrt(n);
            for (int j = 0; j < d; j++) q[i * d + j] /= n;
        }
        a = new double[d * d];
        for (int k = 0; k < d; k++) {
            double lam = d == 1 ? lipschitz : mu * Math.pow(lipschitz / mu, (double) k / (d - 1));
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) a[i * d + j] += lam * q[k * d + i] * q[k * d + j];
        }
    }

    public int dim() { return d; }
    public double mu() { return mu; }
    public double lipschitz() { return lipschitz; }

    /** ∇f(x) = Ax into {@code g}. */
    public void gradient(float[] x, float[] g) {
        for (int i = 0; i < d; i++) {
            double s = 0;
            int row = i * d;
            for (int j = 0; j < d; j++) s += a[row + j] * x[j];
            g[i] = (float) s;
        }
    }

    /** f(x) = ½ xᵀAx (the gap to f* = 0); +∞ when x is not finite. */
    public double value(float[] x) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double r = 0;
            int row = i * d;
            for (int j = 0; j < d; j++) r += a[row + j] * x[j];
            s += x[i] * r;
        }
        return Double.isFinite(s) ? 0.5 * s : Double.POSITIVE_INFINITY;
    }
}
