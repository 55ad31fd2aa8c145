package dopt.sampling;

import dopt.random.Rng;
import java.util.Arrays;

/**
 * Sliced 2-Wasserstein distance between an empirical sample and a Gaussian N(m, Σ) (Rabin, Peyré,
 * Delon and Bernot 2011): SW2² = mean over unit directions θ of W2²(θᵀ samples, N(θᵀm, θᵀΣθ)).
 * Unlike {@link GaussianWasserstein} on moments it sees the shape of the law (skew, heavy or light
 * tails), so it can tell a non-Gaussian chain's law from the Gaussian target. Each 1-D distance is
 * exact for the empirical law: with sorted projections s_(1..n) and Gaussian quantile function q,
 * W2² = Σ_i ∫_{(i−1)/n}^{i/n} (s_(i) − q(u))² du
 *     = (1/n) Σ s_(i)² − 2 Σ s_(i) [m/n + sd (φ(z_{(i−1)/n}) − φ(z_{i/n}))] + m² + sd²,
 * z_u = Φ^{−1}(u). Directions are uniform on the sphere, drawn from a seeded stream.
 */
public final class SlicedWasserstein {
    private SlicedWasserstein() { }

    /** {@code samples}: count rows of {@code dim}, row-major. */
    public static double toGaussian(double[] samples, int count, int dim, double[] mean, double[] cov, int directions, Rng rng) {
        if (count < 1 || samples.length < (long) count * dim) throw new IllegalArgumentException("need " + count + " rows of " + dim + " numbers");
        if (directions < 1) throw new IllegalArgumentException("number of directions must be >= 1: " + directions);
        double[] theta = new double[dim], proj = new double[count];
        double total = 0;
        for (int d = 0; d < directions; d++) {
            double norm = 0;
            for (int i = 0; i < dim; i++) { theta[i] = rng.nextGaussian(); norm += theta[i] * theta[i]; }
            norm = Math.sqrt(norm);
            for (int i = 0; i < dim; i++) theta[i] /= norm;
            double m = 0, var = 0;
            for (int i = 0; i < dim; i++) {
                m += theta[i] * mean[i];
                for (int j = 0; j < dim; j++) var += theta[i] * cov[i * dim + j] * theta[j];
            }
            for (int r = 0; r < count; r++) {
                double s = 0;
                for (int i = 0; i < dim; i++) s += theta[i] * samples[r * dim + i];
                proj[r] = s;
            }
            total += oneDimensional(proj, count, m, Math.sqrt(Math.max(var, 0)));
        }
        return Math.sqrt(total / directions);
    }

    /** W2² between the empirical law of {@code values[0..count)} (sorted in place) and N(m, sd²). */
    public static double oneDimensional(double[] values, int count, double m, double sd) {
        Arrays.sort(values, 0, count);
        double sq = 0, cross = 0, phiPrev = 0;
        for (int i = 0; i < count; i++) {
            double phiNext = i == count - 1 ? 0 : density(inverseNormalCdf((double) (i + 1) / count));
            double integral = m / count + sd * (phiPrev - phiNext);
            sq += values[i] * values[i];
            cross += values[i] * integral;
            phiPrev = phiNext;
        }
        return Math.max(sq / count - 2 * cross + m * m + sd * sd, 0);
    }

    private static double density(double z) { return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI); }

    /**
     * Φ^{−1}(p) for p in (0, 1), Acklam's rational approximation (relative error below 1.2e−9;
     * P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution function").
     */
    public static double inverseNormalCdf(double p) {
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("probability must be in (0, 1): " + p);
        final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01};
        final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        double q = p - 0.5, r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
