package dopt.aggregate;

/**
 * Inner-product manipulation (Xie, Koyejo, Gupta, "Fall of empires: breaking Byzantine-tolerant
 * SGD by inner product manipulation", UAI 2019; aggregation.md "ipm"): every Byzantine row is
 * −ε·mean(H). Default ε = 0.1, the value of E {@code xie.py}'s and V's experiments (S {@code IPM}
 * the same rule; B's default is 2.0).
 */
public final class IpmAttack implements Attack {
    public static final double DEFAULT_EPS = 0.1;

    private final int d;
    private final double eps;
    private final double[] mean;

    public IpmAttack(int d, double eps) {
        if (d < 1) throw new IllegalArgumentException("ipm: d must be >= 1, got " + d);
        if (!Double.isFinite(eps)) throw new IllegalArgumentException("ipm: eps must be finite, got " + eps);
        this.d = d;
        this.eps = eps;
        this.mean = new double[d];
    }

    @Override public String name() { return "ipm"; }

    @Override
    public void forge(float[][] honest, int h, float[][] byzantine, int f) {
        HonestMean.check(name(), honest, h, d);
        HonestMean.checkRows(name(), byzantine, f, d);
        HonestMean.mean(honest, h, d, mean);
        for (int i = 0; i < f; i++)
            for (int j = 0; j < d; j++) byzantine[i][j] = (float) (-eps * mean[j]);
    }
}
