package dopt.aggregate;

/**
 * Every Byzantine row is μ + σ·ξ, with ξ ∈ ℝ^d one standard-normal draw shared by all f rows
 * (aggregation.md "gaussian"; B {@code Gaussian}, S {@code RandomNoise}). ξ is an input:
 * {@link #noise()} is a live array the caller fills from its seeded generator (the replay reads
 * it from {@code /attack_noise}); zero at construction.
 */
public final class GaussianAttack implements Attack {
    private final int d;
    private final double mu, sigma;
    private final float[] noise;

    public GaussianAttack(int d, double mu, double sigma) {
        if (d < 1) throw new IllegalArgumentException("gaussian: d must be >= 1, got " + d);
        if (!Double.isFinite(mu)) throw new IllegalArgumentException("gaussian: mu must be finite, got " + mu);
        if (!(sigma >= 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("gaussian: sigma must be >= 0 and finite, got " + sigma);
        this.d = d;
        this.mu = mu;
        this.sigma = sigma;
        this.noise = new float[d];
    }

    @Override public String name() { return "gaussian"; }

    /** The live draw ξ (length d). */
    public float[] noise() { return noise; }

    @Override
    public void forge(float[][] honest, int h, float[][] byzantine, int f) {
        HonestMean.checkRows(name(), byzantine, f, d);
        for (int i = 0; i < f; i++)
            for (int j = 0; j < d; j++) byzantine[i][j] = (float) (mu + sigma * noise[j]);
    }
}
