package dopt.train;

import dopt.io.TraceData;
import java.util.Map;

/**
 * How the clients' work in a federated round becomes the server's pseudo-gradient: the
 * {@code aggregate_fit} of Flower's {@code Strategy}, one object per rule, used by {@link Federated}.
 * A round is {@link #begin}, then {@link #add} for each client this rank ran, then one collective
 * {@link #aggregate} that every rank calls and that returns the same Δ on every rank.
 */
interface RoundAggregation {
    /** Control values a round sums over the ranks: the clients' summed local losses and the stop votes. */
    int CONTROL = 2;

    /** Whether {@code client} does local work when sampled (local-only training runs the target alone). */
    boolean trains(int client);

    /** Starts a round over the sampled clients ({@code sampled}, ascending). */
    void begin(int[] sampled);

    /** Client {@code client}'s model {@code local} after its local work from the round's {@code global}; {@code size}: its shard's samples. */
    void add(int client, float[] global, float[] local, int size);

    /**
     * A collective call: combines every rank's clients of round {@code round} from {@code global} and
     * sums the {@link #CONTROL} values of {@code control} over the ranks in place. Returns an array whose
     * first n values are the round's Δ, the model change the server optimizer applies as −(pseudo-gradient).
     */
    float[] aggregate(long round, float[] global, float[] control);

    /** Nanoseconds the last {@link #aggregate} spent in collectives. */
    long commNanos();

    /** Per-round tables for the trace, [round][column] for rounds 1..{@code rounds}, by their path in the trace file. */
    default Map<String, TraceData.Floats> traceTables(int rounds) { return Map.of(); }

    /** Bytes of state this rule keeps between rounds. */
    default long stateBytes() { return 0; }

    /** For the run's first line. */
    String describe();
}
