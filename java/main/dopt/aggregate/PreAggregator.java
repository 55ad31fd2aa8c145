package dopt.aggregate;

/**
 * A stage in front of a rule that turns rows into new rows (bucketing, nearest-neighbour mixing).
 * The next stage keeps its own f: a pre-aggregator does not change how many Byzantine rows the
 * rule is told to expect (aggregation.md, "Pre-aggregators").
 */
public interface PreAggregator {
    /** The stage's name as the case files spell it ("bucketing", "nnm"). */
    String name();

    /** The most rows one call may pass. */
    int maxRows();

    /** The length of every row. */
    int dim();

    /** Whether output row {@code k} stands for input row {@code k} (so it keeps its caller's index). */
    boolean keepsRows();

    /**
     * Writes the stage's rows into {@code out[0..returned)}, each of length {@link #dim()}.
     *
     * @param in     input rows {@code in[0..count)}
     * @param origin {@code origin[k]} is the caller's index of {@code in[k]} (its position in the
     *               rows handed to {@link RobustAggregator#aggregate}); bucketing permutes by it
     * @param out    preallocated rows, at least as many as {@code count}; never aliases {@code in}
     * @return how many rows it wrote
     */
    int apply(float[][] in, int count, int[] origin, float[][] out);
}
