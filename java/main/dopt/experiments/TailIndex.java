package dopt.experiments;

/**
 * Tail statistics of a sample, for checking whether gradient noise is heavy-tailed.
 *
 * <p>{@link #hill}: the Hill (1975) estimator of the tail index α of a sample whose tail behaves as
 * P(X &gt; x) ~ C x^{−α}: with the order statistics X₍₁₎ ≥ X₍₂₎ ≥ … ≥ X₍ₙ₎ and the top k of them,
 * α̂ = k / Σᵢ₌₁ᵏ ln(X₍ᵢ₎ / X₍ₖ₊₁₎). For an exact Pareto sample it is the maximum-likelihood
 * estimate (given the threshold X₍ₖ₊₁₎), with standard error ≈ α/√k; a light-tailed sample (a
 * Gaussian, or the concentrated norm of a high-dimensional Gaussian vector) gives a large α̂ that
 * keeps growing as k shrinks. A variance is finite only for α &gt; 2.
 *
 * <p>{@link #excessKurtosis}: m₄/m₂² − 3 with the central sample moments (0 for a Gaussian,
 * 3 for a Laplace law, unbounded for tails with α ≤ 4).
 */
public final class TailIndex {
    private TailIndex() { }

    /** Hill's α̂ from the {@code k} largest of {@code x} (all must be positive; 1 ≤ k &lt; n). */
    public static double hill(double[] x, int k) {
        if (k < 1 || k >= x.length) throw new IllegalArgumentException("k = " + k + " must be in 1.." + (x.length - 1));
        double[] s = x.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        double threshold = s[n - 1 - k];
        if (!(threshold > 0)) throw new IllegalArgumentException("the Hill estimator needs positive values; the (k+1)-th largest is " + threshold);
        double sum = 0;
        for (int i = n - k; i < n; i++) sum += Math.log(s[i] / threshold);
        return k / sum;
    }

    /** The sample's excess kurtosis m₄/m₂² − 3 (NaN for a constant sample). */
    public static double excessKurtosis(double[] x) {
        double mean = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        double m2 = 0, m4 = 0;
        for (double v : x) {
            double d = (v - mean) * (v - mean);
            m2 += d;
            m4 += d * d;
        }
        m2 /= x.length;
        m4 /= x.length;
        return m2 == 0 ? Double.NaN : m4 / (m2 * m2) - 3;
    }
}
