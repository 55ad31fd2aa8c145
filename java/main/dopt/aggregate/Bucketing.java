package dopt.aggregate;

/**
 * Bucketing (Karimireddy, He, Jaggi, "Byzantine-robust learning on heterogeneous datasets via
 * bucketing", ICLR 2022; aggregation.md "bucketing"): the rows in the order of a permutation, cut
 * into buckets of s, each bucket replaced by its mean; the last bucket holds the n mod s leftovers,
 * if any, and is averaged over its own size. ⌈n/s⌉ rows out.
 *
 * <p>The permutation is an input, not drawn here (E {@code utils.py}, B {@code Bucketing} and L
 * {@code bucketing.py} shuffle at random): {@link #permutation()} is a live array over the
 * caller's row indices 0..n−1, identity at construction, which the caller fills (from its seeded
 * generator) before a call. Rows that were dropped as invalid, or that an earlier stage did not
 * pass on, are skipped where they appear in it. A permutation that is not one is refused at the
 * call.
 */
public final class Bucketing implements PreAggregator {
    private final int maxRows, d, s;
    private final int[] permutation, position, order;
    private final boolean[] seen;
    private final double[] acc;

    public Bucketing(int maxRows, int d, int s) {
        RowMath.checkShape("bucketing", maxRows, d);
        if (s < 1) throw new IllegalArgumentException("bucketing: s must be >= 1, got " + s);
        this.maxRows = maxRows;
        this.d = d;
        this.s = s;
        this.permutation = new int[maxRows];
        for (int i = 0; i < maxRows; i++) permutation[i] = i;
        this.position = new int[maxRows];
        this.order = new int[maxRows];
        this.seen = new boolean[maxRows];
        this.acc = new double[d];
    }

    @Override public String name() { return "bucketing"; }
    @Override public int maxRows() { return maxRows; }
    @Override public int dim() { return d; }
    @Override public boolean keepsRows() { return false; }

    /** The bucket size s. */
    public int bucketSize() { return s; }

    /** The live permutation (length n, 0-based caller row indices): Y_k = x_permutation[k]. */
    public int[] permutation() { return permutation; }

    @Override
    public int apply(float[][] in, int count, int[] origin, float[][] out) {
        RowMath.checkCount("bucketing", count, maxRows);
        checkPermutation();
        java.util.Arrays.fill(position, -1);
        for (int k = 0; k < count; k++) position[origin[k]] = k;
        int m = 0;
        for (int p : permutation) if (position[p] >= 0) order[m++] = position[p];
        int buckets = 0;
        for (int from = 0; from < m; from += s) {
            RowMath.meanOf(in, order, from, from + Math.min(s, m - from), d, acc, out[buckets++]);
        }
        return buckets;
    }

    private void checkPermutation() {
        java.util.Arrays.fill(seen, false);
        for (int k = 0; k < maxRows; k++) {
            int p = permutation[k];
            if (p < 0 || p >= maxRows)
                throw new AggregationException("bucketing: permutation[" + k + "] = " + p + " is not a row index in [0, " + maxRows + ")");
            if (seen[p]) throw new AggregationException("bucketing: permutation holds " + p + " twice, so it is not a permutation");
            seen[p] = true;
        }
    }
}
