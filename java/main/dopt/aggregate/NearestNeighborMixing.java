package dopt.aggregate;

/**
 * Nearest-neighbour mixing (Allouah et al., "Fixing by mixing: a recipe for optimal Byzantine ML
 * under heterogeneity", AISTATS 2023; aggregation.md "nnm"): row i becomes the mean of the n − f
 * rows nearest to x_i, x_i itself included (at distance 0), equal distances taking the lower index
 * first. n rows out. Needs f &lt; n (B {@code NNM}, L {@code cenna.py} compute_cva); excluding
 * x_i itself, as one third-party port does, is not followed.
 */
public final class NearestNeighborMixing implements PreAggregator {
    private final int maxRows, d, f;
    private final double[][] dist;
    private final int[] order;
    private final double[] acc;

    public NearestNeighborMixing(int maxRows, int d, int f) {
        RowMath.checkShape("nnm", maxRows, d);
        if (f < 0) throw new IllegalArgumentException("nnm: f must be >= 0, got " + f);
        if (f >= maxRows) throw new IllegalArgumentException("nnm: needs f < n, got f = " + f + " and n = " + maxRows);
        this.maxRows = maxRows;
        this.d = d;
        this.f = f;
        this.dist = new double[maxRows][maxRows];
        this.order = new int[maxRows];
        this.acc = new double[d];
    }

    @Override public String name() { return "nnm"; }
    @Override public int maxRows() { return maxRows; }
    @Override public int dim() { return d; }
    @Override public boolean keepsRows() { return true; }

    @Override
    public int apply(float[][] in, int count, int[] origin, float[][] out) {
        RowMath.checkCount("nnm", count, maxRows);
        if (f >= count) throw new AggregationException("nnm: needs f < n, got f = " + f + " and n = " + count + " valid rows");
        RowMath.pairwiseSquaredDistances(in, count, d, dist);
        for (int i = 0; i < count; i++) {
            RowMath.stableOrder(dist[i], count, order);
            RowMath.meanOf(in, order, 0, count - f, d, acc, out[i]);
        }
        return count;
    }
}
