package dopt.sampling;

/** The scalar, possibly state-dependent diffusion coefficient σ(x) of an isotropic {@link ItoChain}. */
@FunctionalInterface
public interface Diffusion {

    double sigma(double[] x);

    /** σ(x) = s everywhere. */
    static Diffusion constant(double s) {
        if (!(s >= 0 && Double.isFinite(s))) throw new IllegalArgumentException("diffusion coefficient must be finite and >= 0: " + s);
        return x -> s;
    }
}
