package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.function.LongSupplier;

/**
 * Central finite differences against a model's analytic gradients, for every parameter (or a
 * random subset of each large one). The model computes in float; each difference quotient is
 * formed in double from the two float parameter values actually stored (their difference, not
 * 2h, which rounding changes in the last bits).
 *
 * <p>A network with ReLU and max pooling is smooth only within one activation pattern (which
 * units are active, which inputs win the pools). A perturbation that moves a unit across its
 * kink — and with a few hundred units normalised to N(0, 1), one lies within 1e-5 of zero often
 * enough — makes the quotient a blend of two slopes that no tolerance able to catch a wrong
 * formula can absorb. With a {@code pattern} probe (the model's pattern hash after a forward
 * pass), a coordinate whose ±h evaluations leave the base pattern is retried at h/4 (with 4× the
 * absolute tolerance, as rounding then weighs 4× more) and, if still kinked, skipped; their share
 * is bounded and every tensor must keep at least one compared coordinate. The probe never looks at the analytic gradient, so a wrong
 * backward formula still fails on the compared coordinates.
 */
final class GradientCheck {
    private GradientCheck() { }

    /** Coordinates compared, coordinates skipped as kinked, and the worst |analytic − numeric| / tolerance. */
    record Result(int compared, int kinked, double worst) { }

    /**
     * Asserts |analytic − numeric| ≤ atol + rtol·|numeric| (4·atol after a retry at h/4) on every
     * compared coordinate, at least
     * one compared coordinate per parameter, and at most {@code maxKinkedShare} of all skipped.
     * {@code pattern} is null for smooth models.
     */
    static Result run(Model m, float[] x, int[] y, int batch, double h, double atol, double rtol,
                      int maxPerParam, double maxKinkedShare, Rng pick, LongSupplier pattern) {
        return run(m, new Batch.Examples(x, y, batch), h, atol, rtol, maxPerParam, maxKinkedShare, pick, pattern);
    }

    /** The same check for any {@link Network} on one of its batches. */
    static <B> Result run(Network<B> m, B batch, double h, double atol, double rtol,
                          int maxPerParam, double maxKinkedShare, Rng pick, LongSupplier pattern) {
        m.forwardBackward(batch);
        m.loss(batch);
        long base = pattern == null ? 0 : pattern.getAsLong();
        int compared = 0, kinked = 0;
        double worst = 0;
        for (Param p : m.params()) {
            int comparedHere = 0;
            float[] analytic = p.grad().clone(), v = p.value();
            int count = Math.min(v.length, maxPerParam);
            for (int t = 0; t < count; t++) {
                int i = count == v.length ? t : pick.nextInt(v.length);
                // a kink closer than h may still be farther than h/4: retry there, where rounding weighs 4× more
                double numeric = quotient(m, v, i, h, batch, pattern, base), scale = 1;
                if (Double.isNaN(numeric)) {
                    numeric = quotient(m, v, i, h / 4, batch, pattern, base);
                    scale = 4;
                }
                if (Double.isNaN(numeric)) {
                    kinked++;
                    continue;
                }
                double tol = atol * scale + rtol * Math.abs(numeric), err = Math.abs(analytic[i] - numeric);
                worst = Math.max(worst, err / tol);
                assertTrue(err <= tol, p.name() + "[" + i + "]: analytic " + analytic[i] + ", central difference " + numeric);
                compared++;
                comparedHere++;
            }
            assertTrue(comparedHere > 0, p.name() + ": every perturbation changed the activation pattern, nothing was compared");
        }
        int all = compared + kinked;
        assertTrue(kinked <= maxKinkedShare * all, kinked + " of " + all
                + " perturbations changed the activation pattern, more than the allowed share " + maxKinkedShare);
        return new Result(compared, kinked, worst);
    }

    /** The central quotient at ±h, or NaN when either evaluation left the base activation pattern. */
    private static <B> double quotient(Network<B> m, float[] v, int i, double h, B batch, LongSupplier pattern, long base) {
        float keep = v[i], up = (float) (keep + h), down = (float) (keep - h);
        v[i] = up;
        double lu = m.loss(batch);
        boolean same = pattern == null || pattern.getAsLong() == base;
        v[i] = down;
        double ld = m.loss(batch);
        same &= pattern == null || pattern.getAsLong() == base;
        v[i] = keep;
        return same ? (lu - ld) / ((double) up - down) : Double.NaN;
    }

    /** Standard normal features, for checks. */
    static float[] gaussian(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
