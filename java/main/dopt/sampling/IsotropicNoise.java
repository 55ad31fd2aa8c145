package dopt.sampling;

import dopt.random.Rng;

/**
 * The law of the coordinates of ξ in an {@link ItoChain}: independent, mean 0, variance 1, so ξ is
 * isotropic (E ξξᵀ = I) whatever the law. Ustimenko and Beznosikov (arXiv:2310.06081) allow any
 * such law; the chain's diffusion limit, hence its law for small γ, does not depend on it.
 */
public enum IsotropicNoise {
    GAUSSIAN {
        @Override public double sample(Rng rng) { return rng.nextGaussian(); }
    },
    /** ±1 with probability ½ each. */
    RADEMACHER {
        @Override public double sample(Rng rng) { return (rng.nextLong() & 1) == 0 ? -1 : 1; }
    },
    /** Uniform on [−√3, √3]. */
    UNIFORM {
        @Override public double sample(Rng rng) { return SQRT3 * (2 * rng.nextDouble() - 1); }
    };

    private static final double SQRT3 = Math.sqrt(3);

    /** One coordinate. */
    public abstract double sample(Rng rng);

    /** By name, case-insensitive; the error lists the known ones. */
    public static IsotropicNoise byName(String name) {
        for (IsotropicNoise n : values()) if (n.name().equalsIgnoreCase(name)) return n;
        throw new IllegalArgumentException("unknown noise '" + name + "'; known: gaussian, rademacher, uniform");
    }
}
