package dopt.aggregate;

import java.util.Arrays;

/**
 * Krum and Multi-Krum (Blanchard et al., "Machine learning with adversaries: Byzantine tolerant
 * gradient descent", NeurIPS 2017; aggregation.md "krum", "multi_krum"). Row i's score is the
 * sum of its n − f − 2 smallest squared distances to the other rows; the output is the mean of
 * the m rows of least score, equal scores taking the lower index first. Krum is m = 1; Multi-Krum's
 * default m is n − f (B {@code MultiKrum}, L {@code multikrum.py}).
 *
 * <p>Not followed: E {@code krum.py} squares distances that are already squared and returns the
 * sum of the m rows; B uses n − f − 1 neighbours; L n − f − 1 unsquared distances.
 *
 * <p>n is the number of rows in the call (after invalid rows are dropped), so the neighbour count
 * and the default m follow the rows actually present; f stays as configured.
 */
public final class Krum implements Aggregator {
    /** {@link #multiKrum}'s m when it should follow the rows present: n − f. */
    public static final int M_DEFAULT = -1;

    private final String name;
    private final int maxRows, d, f, m;
    private final double[][] dist;
    private final double[] neighbours, score, acc;
    private final int[] order;
    private int selectedCount;

    private Krum(String name, int maxRows, int d, int f, int m) {
        RowMath.checkShape(name, maxRows, d);
        if (f < 0) throw new IllegalArgumentException(name + ": f must be >= 0, got " + f);
        if (maxRows - f - 2 < 1)
            throw new IllegalArgumentException(name + ": needs n - f - 2 >= 1, got f = " + f + " and n = " + maxRows);
        if (m != M_DEFAULT && (m < 1 || m > maxRows))
            throw new IllegalArgumentException(name + ": m must be in [1, n = " + maxRows + "], got " + m);
        this.name = name;
        this.maxRows = maxRows;
        this.d = d;
        this.f = f;
        this.m = m;
        this.dist = new double[maxRows][maxRows];
        this.neighbours = new double[maxRows];
        this.score = new double[maxRows];
        this.acc = new double[d];
        this.order = new int[maxRows];
    }

    /** Krum: the single row of least score. */
    public static Krum krum(int maxRows, int d, int f) {
        return new Krum("krum", maxRows, d, f, 1);
    }

    /** Multi-Krum: the mean of the {@code m} rows of least score; {@link #M_DEFAULT} for n − f. */
    public static Krum multiKrum(int maxRows, int d, int f, int m) {
        return new Krum("multi_krum", maxRows, d, f, m);
    }

    @Override public String name() { return name; }
    @Override public int maxRows() { return maxRows; }
    @Override public int dim() { return d; }

    @Override
    public void aggregate(float[][] rows, int count, float[] out) {
        RowMath.checkCount(name, count, maxRows);
        int k = count - f - 2;
        if (k < 1)
            throw new AggregationException(name + ": needs n - f - 2 >= 1, got f = " + f + " and n = " + count + " valid rows");
        int take = m == M_DEFAULT ? count - f : m;
        if (take > count)
            throw new AggregationException(name + ": m = " + m + " is more than the " + count + " valid rows");
        RowMath.pairwiseSquaredDistances(rows, count, d, dist);
        for (int i = 0; i < count; i++) {
            int c = 0;
            for (int j = 0; j < count; j++) if (j != i) neighbours[c++] = dist[i][j];
            Arrays.sort(neighbours, 0, c);
            double s = 0;
            for (int q = 0; q < k; q++) s += neighbours[q];
            score[i] = s;
        }
        RowMath.stableOrder(score, count, order);
        selectedCount = take;
        RowMath.meanOf(rows, order, 0, take, d, acc, out);
    }

    /** How many rows the last call selected (1 for Krum). */
    public int selectedCount() { return selectedCount; }

    /** The {@code k}-th selected row of the last call, in order of increasing score (an index into its rows). */
    public int selected(int k) {
        if (k < 0 || k >= selectedCount) throw new IndexOutOfBoundsException("selected " + k + " of " + selectedCount);
        return order[k];
    }

    /** The last call's score of its row {@code i} (for tests and diagnostics). */
    public double score(int i) { return score[i]; }
}
