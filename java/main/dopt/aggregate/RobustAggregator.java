package dopt.aggregate;

import java.util.List;

/**
 * A rule with pre-aggregators in front: {@code aggregate(rows, valid, out)}, the one entry point
 * the exchange policies, the tests and {@code aggregate-replay} call.
 *
 * <p>Invalid rows are dropped before anything else (their contents are never read, so NaN, ±Inf
 * or a wrong length there is harmless); every stage then sees only the valid rows, in their
 * original order, and every stage keeps its configured f. We do not lower f by the number of
 * dropped rows: a row may be missing because an honest rank was late, so the valid rows can still
 * hold all f Byzantine ones. When too few valid rows remain for a stage's f (2f &lt; n for the
 * trimmed mean, n − f − 2 ≥ 1 for Krum, f &lt; n for NNM) or none remain at all, the call throws
 * {@link AggregationException} and writes nothing; the caller decides what a round without an
 * aggregate means. Valid rows must be finite: the decoder that marks rows valid checks that.
 *
 * <p>At most one bucketing, as in aggregation.md. The stages' buffers are sized at construction;
 * a call allocates nothing.
 */
public final class RobustAggregator {
    private final int n, d;
    private final PreAggregator[] stages;
    private final Aggregator rule;
    private final float[][] validRows;
    private final float[][][] buffers;
    private final int[] origin;
    private boolean selectedAreCallerRows;

    public RobustAggregator(int n, int d, List<PreAggregator> preAggregators, Aggregator rule) {
        RowMath.checkShape("aggregation", n, d);
        int bucketings = 0;
        for (PreAggregator p : preAggregators) {
            if (p instanceof Bucketing) bucketings++;
            check(p.name(), p.maxRows(), p.dim(), n, d);
        }
        if (bucketings > 1) throw new IllegalArgumentException("pre_aggregators: at most one bucketing, got " + bucketings);
        check(rule.name(), rule.maxRows(), rule.dim(), n, d);
        this.n = n;
        this.d = d;
        this.stages = preAggregators.toArray(new PreAggregator[0]);
        this.rule = rule;
        this.validRows = new float[n][];
        this.buffers = new float[stages.length][n][d];
        this.origin = new int[n];
    }

    private static void check(String name, int maxRows, int dim, int n, int d) {
        if (dim != d) throw new IllegalArgumentException(name + ": sized for rows of " + dim + ", not " + d);
        if (maxRows < n) throw new IllegalArgumentException(name + ": sized for " + maxRows + " rows, not " + n);
    }

    public int rows() { return n; }
    public int dim() { return d; }
    public Aggregator rule() { return rule; }

    /**
     * Aggregates the valid rows into {@code out} (length d).
     *
     * @param rows  up to n rows; a valid one has length d
     * @param valid {@code valid[i]} says whether {@code rows[i]} takes part; same length as {@code rows}
     * @throws AggregationException too few valid rows for a stage's f, none at all, or a bucketing
     *                              permutation that is not one
     */
    public void aggregate(float[][] rows, boolean[] valid, float[] out) {
        if (rows.length > n) throw new IllegalArgumentException("aggregation: " + rows.length + " rows, sized for " + n);
        if (valid.length != rows.length)
            throw new IllegalArgumentException("aggregation: " + valid.length + " validity flags for " + rows.length + " rows");
        if (out.length != d) throw new IllegalArgumentException("aggregation: out has length " + out.length + ", not " + d);
        int count = 0;
        for (int i = 0; i < rows.length; i++) {
            if (!valid[i]) continue;
            if (rows[i].length != d)
                throw new IllegalArgumentException("aggregation: valid row " + i + " has length " + rows[i].length + ", not " + d);
            validRows[count] = rows[i];
            origin[count++] = i;
        }
        if (count == 0) throw new AggregationException(rule.name() + ": no valid rows");
        float[][] current = validRows;
        boolean callerRows = true;
        for (int s = 0; s < stages.length; s++) {
            count = stages[s].apply(current, count, origin, buffers[s]);
            current = buffers[s];
            callerRows &= stages[s].keepsRows();
        }
        selectedAreCallerRows = callerRows;
        rule.aggregate(current, count, out);
    }

    /**
     * The rows a Krum-type rule selected in the last call, by increasing score: the caller's row
     * indices when every pre-aggregator kept rows one for one (none, or only NNM), else indices of
     * the rule's input rows (the buckets); empty for other rules.
     */
    public int[] selectedRows() {
        if (!(rule instanceof Krum k)) return new int[0];
        int[] out = new int[k.selectedCount()];
        for (int q = 0; q < out.length; q++) out[q] = selectedAreCallerRows ? origin[k.selected(q)] : k.selected(q);
        return out;
    }
}
