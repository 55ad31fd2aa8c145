package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Finite differences against the analytic gradient, the one helper every model test uses. Two
 * stencils over one loop (which coordinates, the comparison, the failure message):
 *
 * <p><b>{@link #check} — Richardson, for smooth models.</b> In float (the models have no double path). For every parameter tensor: all coordinates when it has at most {@link #ALL_UP_TO}, else
 * {@link #SUBSET} coordinates drawn at random. The caller has already run forwardBackward, so the
 * analytic gradients sit in the params.
 *
 * <p>Estimate: the fourth-order central difference (8·[f(x+h) − f(x−h)] − [f(x+2h) − f(x−2h)]) / 12h,
 * which is Richardson's extrapolation of the ordinary central differences at h and 2h. Its
 * truncation error is h⁴·f⁽⁵⁾/30 instead of h²·f‴/6: the plain central difference was measured
 * off by 1.7 % on a coordinate where f‴/6 ≈ 400 (an embedding row of small norm in front of
 * RMSNorm, whose derivatives grow like 1/rms³), while the extrapolated one was within 2e-4 there.
 *
 * <p>Tolerance: rounding in the float forward pass leaves the loss (≈ 2.5 nats over ≤ 11 classes)
 * with an error around 1e-6, which the stencil (weights summing to 18/12h) turns into about
 * 1.5e-6/h = 3e-4 at h = 5e-3. A coordinate passes when |num − ana| ≤ 1e-3 + 1e-2·max(|num|, |ana|):
 * the absolute part is 3× that noise, the relative part covers what truncation is left on large
 * gradients. A wrong formula — a dropped term, a sign, a missing accumulation — errs by the size of
 * the gradient itself, 1e-2 to 1, and fails: each backward formula was broken on purpose in turn
 * and every break was caught.
 *
 * <p><b>{@link #run} — central, for networks with kinks.</b> For every parameter (or a random subset
 * of each large one). The model computes in float; each difference quotient is
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

    /** Richardson's path: every coordinate of tensors up to this size, else {@link #SUBSET} drawn at random. */
    static final int ALL_UP_TO = 256, SUBSET = 48;
    static final float H = 5e-3f;
    static final double ATOL = 1e-3, RTOL = 1e-2;

    /** Coordinates compared, coordinates skipped as kinked, and the worst |analytic − numeric| / tolerance. */
    record Result(int compared, int kinked, double worst) { }

    /** A numeric derivative of coordinate i of v, or NaN when the evaluation crossed a kink. */
    private interface Stencil {
        double at(float[] v, int i);
    }

    /**
     * Richardson's fourth-order stencil on {@code loss}; the caller has already run forwardBackward,
     * so the analytic gradients sit in {@code params}. Returns the number of coordinates checked;
     * fails on the first mismatch, naming it.
     */
    static int check(List<Param> params, DoubleSupplier loss, Rng pick) {
        Stencil richardson = (v, i) -> {
            float keep = v[i];
            double near = at(v, i, keep + H, loss) - at(v, i, keep - H, loss);
            double far = at(v, i, keep + 2 * H, loss) - at(v, i, keep - 2 * H, loss);
            v[i] = keep;
            return (8 * near - far) / (12 * H);
        };
        Result r = compare(params, richardson, null, ALL_UP_TO, SUBSET, ATOL, RTOL, 0, pick);
        if (Boolean.getBoolean("dopt.gradcheck.verbose")) System.out.println("worst error / tolerance " + r.worst());
        return r.compared();
    }

    /**
     * The central stencil with kink detection on {@code m} and {@code batch} (runs forwardBackward
     * first). Asserts |analytic − numeric| ≤ atol + rtol·max(|numeric|, |analytic|) (4·atol after a
     * retry at h/4) on every compared coordinate, at least one compared coordinate per parameter,
     * and at most {@code maxKinkedShare} of all skipped. {@code pattern} is null for smooth models.
     */
    static <B> Result run(Network<B> m, B batch, double h, double atol, double rtol,
                          int maxPerParam, double maxKinkedShare, Rng pick, LongSupplier pattern) {
        m.forwardBackward(batch);
        m.loss(batch);
        long base = pattern == null ? 0 : pattern.getAsLong();
        DoubleSupplier loss = () -> m.loss(batch);
        Stencil central = (v, i) -> quotient(v, i, h, loss, pattern, base);
        Stencil quarter = (v, i) -> quotient(v, i, h / 4, loss, pattern, base);
        return compare(m.params(), central, quarter, maxPerParam, maxPerParam, atol, rtol, maxKinkedShare, pick);
    }

    /** {@link #run} for a {@link Model} on arrays. */
    static Result run(Model m, float[] x, int[] y, int batch, double h, double atol, double rtol,
                      int maxPerParam, double maxKinkedShare, Rng pick, LongSupplier pattern) {
        return run(m, new Batch.Examples(x, y, batch), h, atol, rtol, maxPerParam, maxKinkedShare, pick, pattern);
    }

    /**
     * The loop both stencils share: per tensor every coordinate when it has at most {@code allUpTo},
     * else {@code subset} drawn at random; a NaN from {@code first} is retried with {@code retry}
     * (4× the absolute tolerance, as rounding then weighs 4× more) and, if still NaN, counted as kinked.
     */
    private static Result compare(List<Param> params, Stencil first, Stencil retry, int allUpTo, int subset,
                                  double atol, double rtol, double maxKinkedShare, Rng pick) {
        int compared = 0, kinked = 0;
        double worst = 0;
        for (Param p : params) {
            int comparedHere = 0;
            float[] analytic = p.grad().clone(), v = p.value();
            boolean all = v.length <= allUpTo;
            int count = all ? v.length : subset;
            for (int t = 0; t < count; t++) {
                int i = all ? t : pick.nextInt(v.length);
                // a kink closer than h may still be farther than h/4: retry there, where rounding weighs 4× more
                double numeric = first.at(v, i), scale = 1;
                if (Double.isNaN(numeric) && retry != null) {
                    numeric = retry.at(v, i);
                    scale = 4;
                    if (Double.isNaN(numeric)) {
                        kinked++;
                        continue;
                    }
                }
                double tol = atol * scale + rtol * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
                double err = Math.abs(analytic[i] - numeric);
                worst = Math.max(worst, err / tol);
                assertTrue(err <= tol, p.name() + "[" + i + "]: analytic " + analytic[i] + ", numeric " + numeric);
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

    private static double at(float[] v, int i, float value, DoubleSupplier loss) {
        v[i] = value;
        return loss.getAsDouble();
    }

    /**
     * The central quotient at ±h, formed from the two float values actually stored (their difference,
     * not 2h, which rounding changes in the last bits); NaN when either evaluation left the base
     * activation pattern.
     */
    private static double quotient(float[] v, int i, double h, DoubleSupplier loss, LongSupplier pattern, long base) {
        float keep = v[i], up = (float) (keep + h), down = (float) (keep - h);
        v[i] = up;
        double lu = loss.getAsDouble();
        boolean same = pattern == null || pattern.getAsLong() == base;
        v[i] = down;
        double ld = loss.getAsDouble();
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

    /**
     * Moves every parameter away from its small initial scale so that every path carries gradient
     * well above the finite-difference noise: matrices and the head ~ N(0, std²), norm weights
     * 1 + N(0, 0.2²), biases ~ N(0, 0.1²), embeddings ~ N(0, 1) (PyTorch's default; an embedding
     * row of small norm in front of RMSNorm, whose derivatives grow like 1/rms³, would make the
     * finite differences themselves inaccurate).
     */
    static void randomize(List<Param> params, Rng rng, double std) {
        for (Param p : params) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                double g = rng.nextGaussian();
                v[i] = (float) switch (p.role()) {
                    case NORM -> 1 + 0.2 * g;
                    case BIAS -> 0.1 * g;
                    case EMBEDDING -> g;
                    default -> std * g;
                };
            }
        }
    }
}
