package dopt.optim;

import dopt.random.Rng;

/**
 * The smoothed median of means (SMoM) of Puchkin, Gorbunov, Kutuzov and Gasnikov 2024, "Breaking
 * the heavy-tailed noise barrier in stochastic optimization problems" (AISTATS, arXiv:2311.04161):
 * the m samples are split into k consecutive groups of n = m/k, each group is averaged, each
 * average gets its own independent Gaussian smoothing noise θ·ζⱼ with ζⱼ ~ N(0, I_d), and the
 * estimate is the coordinate-wise median
 * <pre>
 *   ĝ = med( Ȳ₁ + θζ₁, …, Ȳ_k + θζ_k ),   Ȳⱼ = (1/n) Σ_{i in group j} Yᵢ.
 * </pre>
 * The paper takes an odd number of groups k = 2m'+1 and a small θ: the smoothing makes the
 * median's law smooth, which is what bounds its bias under symmetric (structured) noise densities;
 * a public third-party Python implementation of the paper's estimator (class {@code SMoM}, citing
 * arXiv:2311.04161; its repository is not named by the code index) does the same: 2m'+1 groups of
 * n samples, each group mean plus its own θ·N(0, I_d), then {@code np.median} over groups, i.e.
 * coordinate-wise. The paper's own definition (its estimator display and algorithm boxes) could
 * not be read here, so the odd group count and θ's placement above rest on that implementation.
 * For even k the median is the mean of the two middle values (numpy's convention). With k = 1 and θ = 0 the estimate is the plain sample mean. The
 * geometric median variant is not implemented.
 *
 * <p>Deterministic given the {@link Rng} it draws the smoothing from. Buffers are allocated on the
 * first call for its (m, d) and reused.
 */
public final class SmoothedMedianOfMeans {
    private final int groups;
    private final double theta;
    private final Rng rng;
    private double[] means = new double[0];
    private double[] column;

    public SmoothedMedianOfMeans(int groups, double theta, Rng rng) {
        if (groups < 1) throw new IllegalArgumentException("median of means needs at least one group: " + groups);
        if (!(theta >= 0) || Double.isInfinite(theta)) throw new IllegalArgumentException("smoothing theta must be finite and non-negative: " + theta);
        this.groups = groups;
        this.theta = theta;
        this.rng = rng;
        this.column = new double[groups];
    }

    public int groups() { return groups; }

    /**
     * Writes the estimate from {@code m} samples of dimension {@code d} ({@code samples} row-major,
     * m × d, m a multiple of the group count) into {@code out[0..d)}.
     */
    public void estimate(float[] samples, int m, int d, float[] out) {
        if (m < groups || m % groups != 0)
            throw new IllegalArgumentException(m + " samples do not split into " + groups + " equal groups");
        if (samples.length < (long) m * d || out.length < d)
            throw new IllegalArgumentException("buffers too small for " + m + " samples of dimension " + d);
        if (means.length < groups * d) means = new double[groups * d];
        int n = m / groups;
        for (int j = 0; j < groups; j++) {
            int base = j * d;
            for (int c = 0; c < d; c++) means[base + c] = 0;
            for (int s = j * n; s < (j + 1) * n; s++) {
                int row = s * d;
                for (int c = 0; c < d; c++) means[base + c] += samples[row + c];
            }
            for (int c = 0; c < d; c++) {
                double v = means[base + c] / n;
                if (theta > 0) v += theta * rng.nextGaussian();
                means[base + c] = v;
            }
        }
        for (int c = 0; c < d; c++) {
            for (int j = 0; j < groups; j++) column[j] = means[j * d + c];
            out[c] = (float) median(column, groups);
        }
    }

    /** Median of v[0..k) by insertion sort (k is a handful of groups); NaN propagates as a NaN estimate. */
    private static double median(double[] v, int k) {
        for (int i = 1; i < k; i++) {
            double x = v[i];
            int j = i - 1;
            while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
            v[j + 1] = x;
        }
        for (int i = 0; i < k; i++) if (Double.isNaN(v[i])) return Double.NaN;
        return (k & 1) == 1 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
    }
}
