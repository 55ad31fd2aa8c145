package dopt.aggregate;

/**
 * A documented refusal to aggregate: too few valid rows for a rule's f, no valid rows at all, a
 * bucketing permutation that is not one. The message names the rule and the numbers involved.
 */
public final class AggregationException extends RuntimeException {
    public AggregationException(String message) {
        super(message);
    }
}
