package dopt.aggregate;

/** (1/n) Σ x_i: the non-robust baseline (aggregation.md "mean"). */
public final class Mean implements Aggregator {
    private final int maxRows, d;
    private final double[] acc;

    public Mean(int maxRows, int d) {
        RowMath.checkShape("mean", maxRows, d);
        this.maxRows = maxRows;
        this.d = d;
        this.acc = new double[d];
    }

    @Override public String name() { return "mean"; }
    @Override public int maxRows() { return maxRows; }
    @Override public int dim() { return d; }

    @Override
    public void aggregate(float[][] rows, int count, float[] out) {
        RowMath.checkCount("mean", count, maxRows);
        RowMath.meanOfRange(rows, 0, count, d, acc, out);
    }
}
