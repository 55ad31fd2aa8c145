package dopt.random;

/**
 * Symmetric heavy-tailed noise for the synthetic experiments of the heavy-tail papers (Chezhegov
 * et al. 2024, "Gradient clipping improves AdaGrad when the noise is heavy-tailed"; Puchkin et al.
 * 2024, "Breaking the heavy-tailed noise barrier in stochastic optimization problems"): each
 * sampler draws one standard (unit-scale, centre 0) variate from {@link Rng}, so a stream is fixed
 * by its seed.
 *
 * <ul>
 *   <li>{@link #studentT}: Z / √(V/ν) with Z ~ N(0,1), V ~ χ²_ν = 2·Gamma(ν/2); moments of order
 *       &lt; ν only, so ν ≤ 2 has infinite variance.</li>
 *   <li>{@link #symmetricStable}: symmetric α-stable law with characteristic function exp(−|t|^α)
 *       by the Chambers–Mallows–Stuck (1976) formula
 *       X = sin(αU)/cos(U)^{1/α} · (cos((1−α)U)/W)^{(1−α)/α}, U ~ Uniform(−π/2, π/2), W ~ Exp(1);
 *       α = 2 is N(0, 2), α = 1 is the standard Cauchy law; moments of order &lt; α only.</li>
 *   <li>{@link #symmetricPareto}: ±(U^{−1/α} − 1) with a fair sign (a Lomax/Pareto-II tail
 *       P(|X| &gt; t) = (1+t)^{−α}); moments of order &lt; α only.</li>
 * </ul>
 */
public final class HeavyTailedNoise {
    private HeavyTailedNoise() { }

    /** One of the three laws with its tail index, as a reusable sampler. */
    public enum Kind { STUDENT_T, SYMMETRIC_STABLE, SYMMETRIC_PARETO }

    /** Draws one variate of {@code kind} with tail parameter {@code index} (ν or α). */
    public static double sample(Kind kind, double index, Rng rng) {
        return switch (kind) {
            case STUDENT_T -> studentT(index, rng);
            case SYMMETRIC_STABLE -> symmetricStable(index, rng);
            case SYMMETRIC_PARETO -> symmetricPareto(index, rng);
        };
    }

    public static double studentT(double nu, Rng rng) {
        if (!(nu > 0) || Double.isInfinite(nu)) throw new IllegalArgumentException("Student-t degrees of freedom must be positive and finite: " + nu);
        double z = rng.nextGaussian();
        double chi2 = 2 * rng.nextGamma(nu / 2);
        return z / Math.sqrt(chi2 / nu);
    }

    public static double symmetricStable(double alpha, Rng rng) {
        if (!(alpha > 0 && alpha <= 2)) throw new IllegalArgumentException("stable index alpha must be in (0, 2]: " + alpha);
        double u = Math.PI * (rng.nextDouble() - 0.5);
        double w;
        do { w = -Math.log(rng.nextDouble()); } while (w == 0); // Exp(1), never 0 (division below)
        if (alpha == 1) return Math.tan(u);
        return Math.sin(alpha * u) / Math.pow(Math.cos(u), 1 / alpha)
                * Math.pow(Math.cos((1 - alpha) * u) / w, (1 - alpha) / alpha);
    }

    public static double symmetricPareto(double alpha, Rng rng) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("Pareto tail index alpha must be positive and finite: " + alpha);
        double sign = rng.nextDouble() < 0.5 ? -1 : 1;
        double u;
        do { u = rng.nextDouble(); } while (u == 0);
        return sign * (Math.pow(u, -1 / alpha) - 1);
    }
}
