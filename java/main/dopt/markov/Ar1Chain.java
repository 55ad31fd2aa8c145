package dopt.markov;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * Vector AR(1) chain Z_{t+1} = ρ Z_t + σ √(1 − ρ²) ε_t, ε_t ~ N(0, I): stationary law N(0, σ² I),
 * autocorrelation ρ^t, so the relaxation time is τ = 1/(1 − ρ). {@link #withMixingTime} sets
 * ρ = 1 − 1/τ; τ = 1 gives i.i.d. Gaussian samples. It starts in its stationary law unless
 * {@link #startAt} moves it (to measure the bias of a chain that has not mixed yet). Its state,
 * Z_t and the RNG words, goes into a state tree by {@link #register}.
 */
public final class Ar1Chain implements MarkovChain {
    private final double rho, innovation, sigma;
    private final double[] z;
    private final Rng rng;

    public Ar1Chain(int dim, double rho, double sigma, Rng rng) {
        if (dim < 1) throw new IllegalArgumentException("AR(1) dimension must be positive: " + dim);
        if (!(rho >= 0 && rho < 1)) throw new IllegalArgumentException("AR(1) coefficient rho must be in [0, 1): " + rho);
        if (!(sigma > 0 && Double.isFinite(sigma))) throw new IllegalArgumentException("AR(1) stationary sd must be positive and finite: " + sigma);
        this.rho = rho;
        this.sigma = sigma;
        this.innovation = sigma * Math.sqrt(1 - rho * rho);
        this.z = new double[dim];
        this.rng = rng;
        for (int i = 0; i < dim; i++) z[i] = sigma * rng.nextGaussian();
    }

    /** The chain with relaxation time {@code tau} ≥ 1 (ρ = 1 − 1/τ). */
    public static Ar1Chain withMixingTime(int dim, double tau, double sigma, Rng rng) {
        if (!(tau >= 1 && Double.isFinite(tau))) throw new IllegalArgumentException("mixing time tau must be >= 1: " + tau);
        return new Ar1Chain(dim, 1 - 1 / tau, sigma, rng);
    }

    /** Puts the chain in state {@code z0} (the next sample is ρ z0 + innovation). */
    public Ar1Chain startAt(double[] z0) {
        if (z0.length != z.length) throw new IllegalArgumentException("start state has " + z0.length + " entries, chain " + z.length);
        System.arraycopy(z0, 0, z, 0, z.length);
        return this;
    }

    public double rho() { return rho; }

    public double stationarySd() { return sigma; }

    @Override public int dim() { return z.length; }

    @Override public void next(double[] out) {
        for (int i = 0; i < z.length; i++) {
            z[i] = rho * z[i] + innovation * rng.nextGaussian();
            out[i] = z[i];
        }
    }

    @Override public double mixingTime() { return 1 / (1 - rho); }

    /** {@code prefix/z}: Z_t (float64); {@code prefix/rng}: the RNG words. */
    @Override public void register(StateTree state, String prefix) {
        state.putDoubles(prefix + "/z", z);
        state.putLongs(prefix + "/rng", rng.state());
    }
}
