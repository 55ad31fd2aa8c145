package dopt.sampling;

/**
 * Running mean and covariance of a stream of vectors (Welford's update, so long chains do not lose
 * precision to cancellation), without storing the samples.
 */
public final class SampleMoments {
    private final int dim;
    private final double[] mean, m2, delta;
    private long count;

    public SampleMoments(int dim) {
        if (dim < 1) throw new IllegalArgumentException("dimension must be positive: " + dim);
        this.dim = dim;
        this.mean = new double[dim];
        this.m2 = new double[dim * dim];
        this.delta = new double[dim];
    }

    public void add(double[] x) {
        count++;
        for (int i = 0; i < dim; i++) {
            delta[i] = x[i] - mean[i];
            mean[i] += delta[i] / count;
        }
        for (int i = 0; i < dim; i++) {
            double after = x[i] - mean[i];
            for (int j = 0; j < dim; j++) m2[i * dim + j] += after * delta[j];
        }
    }

    public long count() { return count; }

    public double[] mean() { return mean.clone(); }

    /** The covariance with divisor n (the plug-in estimate of the chain's law). */
    public double[] covariance() {
        if (count == 0) throw new IllegalStateException("no samples");
        double[] c = new double[dim * dim];
        for (int i = 0; i < dim; i++)
            for (int j = 0; j < dim; j++) c[i * dim + j] = 0.5 * (m2[i * dim + j] + m2[j * dim + i]) / count;
        return c;
    }
}
