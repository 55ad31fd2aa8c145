package dopt.train;

import java.util.Locale;

/**
 * The loop's {@link UpdateGuard}: refuses a non-finite loss or gradient norm, and a loss above
 * {@value #EXPLOSION_FACTOR} times the first agreed loss of the run (a rule with too large a step or
 * too small an epsilon can blow a loss of 2.3 up to 3·10⁶ in one step without ever producing a NaN,
 * and such a run would otherwise finish "successfully" at chance accuracy).
 *
 * <p>The reference loss is state: a resumed run must compare against the original first loss, so it
 * lives in the state tree ({@code train/first_loss}), not in a field.
 */
final class DivergenceGuard implements UpdateGuard {
    static final double EXPLOSION_FACTOR = 1e3;

    private final double[] firstLoss;

    /** {@code firstLoss} is the state leaf holding the first agreed loss (NaN until the first step). */
    DivergenceGuard(double[] firstLoss) {
        this.firstLoss = firstLoss;
    }

    @Override
    public String veto(long s, float loss, double gradNorm) {
        if (!Float.isFinite(loss)) return "non-finite loss (" + loss + ")";
        if (!Double.isFinite(gradNorm)) return "non-finite gradient norm (" + gradNorm + ")";
        if (Double.isNaN(firstLoss[0])) {
            firstLoss[0] = loss;
            return null;
        }
        // a loss near zero at the start (a solved problem) must not make every later wiggle an explosion
        double bound = EXPLOSION_FACTOR * Math.max(Math.abs(firstLoss[0]), 1e-3);
        if (loss > bound)
            return String.format(Locale.ROOT, "diverging loss (%.4g, above %.0f x the first step's %.4g)", loss,
                    EXPLOSION_FACTOR, firstLoss[0]);
        return null;
    }
}
