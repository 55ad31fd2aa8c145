package dopt.aggregate;

import java.util.Arrays;

/**
 * Per coordinate, drops the f smallest and the f largest values and averages the other n − 2f
 * (aggregation.md "trimmed_mean"). Needs 2f &lt; n: B {@code TrMean} raises there, E
 * {@code trimmed_mean.py} silently lowers f, which hides a misconfiguration; we refuse. f = 0 is
 * the mean.
 */
public final class TrimmedMean implements Aggregator {
    private final int maxRows, d, f;
    private final float[] column;

    public TrimmedMean(int maxRows, int d, int f) {
        RowMath.checkShape("trimmed_mean", maxRows, d);
        if (f < 0) throw new IllegalArgumentException("trimmed_mean: f must be >= 0, got " + f);
        if (2 * f >= maxRows)
            throw new IllegalArgumentException("trimmed_mean: needs 2f < n, got f = " + f + " and n = " + maxRows);
        this.maxRows = maxRows;
        this.d = d;
        this.f = f;
        this.column = new float[maxRows];
    }

    @Override public String name() { return "trimmed_mean"; }
    @Override public int maxRows() { return maxRows; }
    @Override public int dim() { return d; }

    @Override
    public void aggregate(float[][] rows, int count, float[] out) {
        RowMath.checkCount("trimmed_mean", count, maxRows);
        if (2 * f >= count)
            throw new AggregationException("trimmed_mean: needs 2f < n, got f = " + f + " and n = " + count + " valid rows");
        int kept = count - 2 * f;
        for (int j = 0; j < d; j++) {
            for (int i = 0; i < count; i++) column[i] = rows[i][j];
            Arrays.sort(column, 0, count);
            double s = 0;
            for (int i = f; i < count - f; i++) s += column[i];
            out[j] = (float) (s / kept);
        }
    }
}
