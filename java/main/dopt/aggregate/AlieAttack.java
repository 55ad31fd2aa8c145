package dopt.aggregate;

/**
 * "A little is enough" (Baruch, Baruch, Goldberg, NeurIPS 2019; aggregation.md "alie"): every
 * Byzantine row is mean(H) − z·std(H) per coordinate, std with ddof 1 (torch.std), so h ≥ 2.
 *
 * <p>Default z = Φ⁻¹((n − f − s)/(n − f)) with s = ⌊n/2⌋ + 1 − f and n = h + f, as E
 * {@code alittle.py} and S {@code ALIE} compute it; defined when that probability lies in (0, 1).
 * f = 1 with odd n gives z = 0. A given z overrides it. B {@code ALittleIsEnough}'s mean + τ·std
 * (τ = 1.5) is z = −τ here.
 */
public final class AlieAttack implements Attack {
    private final int d;
    private final Double z;
    private final double[] mean, std;

    /** {@code z} null for the default from n and f. */
    public AlieAttack(int d, Double z) {
        if (d < 1) throw new IllegalArgumentException("alie: d must be >= 1, got " + d);
        if (z != null && !Double.isFinite(z)) throw new IllegalArgumentException("alie: z must be finite, got " + z);
        this.d = d;
        this.z = z;
        this.mean = new double[d];
        this.std = new double[d];
    }

    @Override public String name() { return "alie"; }

    /** The default z for n rows of which f are Byzantine. */
    public static double defaultZ(int n, int f) {
        if (f < 1 || f >= n) throw new IllegalArgumentException("alie: needs 1 <= f < n, got f = " + f + " and n = " + n);
        int s = n / 2 + 1 - f;
        double p = (double) (n - f - s) / (n - f);
        if (!(p > 0 && p < 1))
            throw new IllegalArgumentException("alie: the default z = Φ⁻¹((n-f-s)/(n-f)), s = floor(n/2)+1-f, needs a probability in (0, 1); "
                    + "n = " + n + ", f = " + f + " give " + p + " (give z instead)");
        return NormalQuantile.of(p);
    }

    /** The z a call with h honest and f Byzantine rows uses. */
    public double z(int h, int f) {
        return z != null ? z : defaultZ(h + f, f);
    }

    @Override
    public void forge(float[][] honest, int h, float[][] byzantine, int f) {
        HonestMean.check(name(), honest, h, d);
        HonestMean.checkRows(name(), byzantine, f, d);
        if (f == 0) return;
        if (h < 2) throw new IllegalArgumentException("alie: the ddof-1 standard deviation needs h >= 2 honest rows, got " + h);
        double zz = z(h, f);
        HonestMean.mean(honest, h, d, mean);
        HonestMean.std(honest, h, d, mean, std);
        for (int i = 0; i < f; i++)
            for (int j = 0; j < d; j++) byzantine[i][j] = (float) (mean[j] - zz * std[j]);
    }
}
