/**
 * Byzantine-robust aggregation as a function of rows: a rule ({@link dopt.aggregate.Aggregator})
 * with pre-aggregators ({@link dopt.aggregate.PreAggregator}) composed in front by
 * {@link dopt.aggregate.RobustAggregator}, and the attacks ({@link dopt.aggregate.Attack}) that
 * forge the Byzantine rows from the honest ones. The definitions, edge conventions and sources are
 * those of {@code docs/aggregation.md} in the shared design notes.
 *
 * <p>Rows are {@code float[][]}: row {@code i} is one worker's vector of length {@code d} (a
 * flat {@code float[]}, as the exchange policies hold gradients). Every class sizes its scratch
 * at construction for at most {@code n} rows of length {@code d}, so a call allocates nothing and
 * gives the same bits for the same input. Sums run in double in a fixed order.
 *
 * <p>Knows nothing about ranks, MPJ or files; imports no other dopt package.
 */
package dopt.aggregate;
