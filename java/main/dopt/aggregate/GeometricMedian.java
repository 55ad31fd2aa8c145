package dopt.aggregate;

import java.util.Arrays;

/**
 * The geometric median by smoothed Weiszfeld iterations, as in RFA (Pillutla, Kakade, Harchaoui,
 * "Robust aggregation for federated learning", IEEE TSP 2022; aggregation.md "geometric_median"):
 * z₀ = 0, then T times β_i = 1/max(‖z − x_i‖, ν), z ← Σβ_i x_i / Σβ_i. ν &gt; 0 keeps a row
 * that z lands on from dividing by zero; T = 0 gives 0. Defaults T = 3, ν = 0.1 (B
 * {@code GeometricMedian}, L {@code rfa.py}; E {@code rfa.py} has the same update).
 */
public final class GeometricMedian implements Aggregator {
    public static final int DEFAULT_T = 3;
    public static final double DEFAULT_NU = 0.1;

    private final int maxRows, d, iterations;
    private final double nu;
    private final double[] z, num, beta;

    public GeometricMedian(int maxRows, int d, int iterations, double nu) {
        RowMath.checkShape("geometric_median", maxRows, d);
        if (iterations < 0) throw new IllegalArgumentException("geometric_median: T must be >= 0, got " + iterations);
        if (!(nu > 0) || Double.isInfinite(nu)) throw new IllegalArgumentException("geometric_median: nu must be > 0 and finite, got " + nu);
        this.maxRows = maxRows;
        this.d = d;
        this.iterations = iterations;
        this.nu = nu;
        this.z = new double[d];
        this.num = new double[d];
        this.beta = new double[maxRows];
    }

    @Override public String name() { return "geometric_median"; }
    @Override public int maxRows() { return maxRows; }
    @Override public int dim() { return d; }

    @Override
    public void aggregate(float[][] rows, int count, float[] out) {
        RowMath.checkCount("geometric_median", count, maxRows);
        Arrays.fill(z, 0.0);
        for (int t = 0; t < iterations; t++) {
            double den = 0;
            for (int i = 0; i < count; i++) {
                beta[i] = 1.0 / Math.max(RowMath.distance(rows[i], z, d), nu);
                den += beta[i];
            }
            Arrays.fill(num, 0.0);
            for (int i = 0; i < count; i++) {
                float[] r = rows[i];
                double b = beta[i];
                for (int j = 0; j < d; j++) num[j] += b * r[j];
            }
            for (int j = 0; j < d; j++) z[j] = num[j] / den;
        }
        for (int j = 0; j < d; j++) out[j] = (float) z[j];
    }
}
