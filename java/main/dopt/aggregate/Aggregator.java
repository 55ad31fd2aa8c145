package dopt.aggregate;

/**
 * A robust aggregation rule: {@code count} rows of length {@link #dim()} in, one vector out.
 * The rows handed in are all valid (the {@link RobustAggregator} drops the others first) and
 * finite. Implementations hold their scratch, so one instance serves one caller at a time.
 */
public interface Aggregator {
    /** The rule's name as the case files and job files spell it ("trimmed_mean"). */
    String name();

    /** The most rows one call may pass. */
    int maxRows();

    /** The length of every row and of {@code out}. */
    int dim();

    /**
     * Aggregates {@code rows[0..count)} into {@code out}.
     *
     * @throws AggregationException if {@code count} rows are too few for the rule's f
     */
    void aggregate(float[][] rows, int count, float[] out);
}
