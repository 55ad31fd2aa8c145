package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Finite differences against the analytic gradient, in float (the models have no double path).
 * For every parameter tensor: all coordinates when it has at most {@link #ALL_UP_TO}, else
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
 */
final class GradCheck {
    static final int ALL_UP_TO = 256, SUBSET = 48;
    static final float H = 5e-3f;
    static final double ATOL = 1e-3, RTOL = 1e-2;

    private GradCheck() { }

    /** Returns the number of coordinates checked; fails on the first mismatch, naming it. */
    static int check(List<Param> params, DoubleSupplier loss, Rng pick) {
        int checked = 0;
        double worst = 0;
        String worstAt = "";
        for (Param p : params) {
            float[] v = p.value(), analytic = p.grad().clone();
            int n = v.length <= ALL_UP_TO ? v.length : SUBSET;
            for (int s = 0; s < n; s++) {
                int i = v.length <= ALL_UP_TO ? s : pick.nextInt(v.length);
                float keep = v[i];
                double near = at(v, i, keep + H, loss) - at(v, i, keep - H, loss);
                double far = at(v, i, keep + 2 * H, loss) - at(v, i, keep - 2 * H, loss);
                v[i] = keep;
                double numeric = (8 * near - far) / (12 * H);
                double diff = Math.abs(numeric - analytic[i]);
                double excess = diff / (ATOL + RTOL * Math.max(Math.abs(numeric), Math.abs(analytic[i])));
                if (excess > worst) {
                    worst = excess;
                    worstAt = p.name() + "[" + i + "] analytic " + analytic[i] + " numeric " + numeric;
                }
                assertTrue(excess <= 1, p.name() + "[" + i + "]: analytic " + analytic[i] + " numeric " + numeric);
                checked++;
            }
        }
        if (Boolean.getBoolean("dopt.gradcheck.verbose")) System.out.println("worst error / tolerance " + worst + " at " + worstAt);
        return checked;
    }

    private static double at(float[] v, int i, float value, DoubleSupplier loss) {
        v[i] = value;
        return loss.getAsDouble();
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
