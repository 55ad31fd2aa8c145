package dopt.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a run's trace holds: the step index, per-step metrics of every rank, and the held-out
 * evaluations. Measurements are float32; counts (bytes, messages) are int64, because a float32
 * counter is exact only up to 2^24 and a step of a large model sends more bytes than that.
 *
 * @param steps       the step number of each row of every metric (1-based)
 * @param metrics     metric name → values, in the order they were recorded
 * @param evaluations held-out loss and accuracy at the steps where the run evaluated
 * @param tables      per-step tables other than [step][rank] by their path in the file (e.g.
 *                    {@code federated/weights}, [round][client]); empty for most runs
 */
public record TraceData(long[] steps, Map<String, Metric> metrics, Evaluations evaluations, Map<String, Floats> tables) {

    public TraceData {
        Objects.requireNonNull(steps, "steps");
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        Objects.requireNonNull(evaluations, "evaluations");
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    public TraceData(long[] steps, Map<String, Metric> metrics, Evaluations evaluations) {
        this(steps, metrics, evaluations, Map.of());
    }

    /** This trace with {@code more} tables added. */
    public TraceData withTables(Map<String, Floats> more) {
        if (more.isEmpty()) return this;
        Map<String, Floats> all = new LinkedHashMap<>(tables);
        all.putAll(more);
        return new TraceData(steps, metrics, evaluations, all);
    }

    /** One metric: a [step][rank] matrix with its units. */
    public sealed interface Metric permits Floats, Counts {
        String units();

        int steps();

        int ranks();

        double value(int step, int rank);

        /** Every value as a double, which holds float32 values and int64 counts below 2^53 exactly. */
        default double[][] asDoubles() {
            double[][] d = new double[steps()][ranks()];
            for (int s = 0; s < d.length; s++)
                for (int r = 0; r < d[s].length; r++) d[s][r] = value(s, r);
            return d;
        }
    }

    /** A measured quantity (loss, milliseconds): float32 in the file. */
    public record Floats(float[][] values, String units) implements Metric {
        public int steps() { return values.length; }

        public int ranks() { return values.length == 0 ? 0 : values[0].length; }

        public double value(int step, int rank) { return values[step][rank]; }
    }

    /** A count (bytes, messages): int64 in the file. */
    public record Counts(long[][] values, String units) implements Metric {
        public int steps() { return values.length; }

        public int ranks() { return values.length == 0 ? 0 : values[0].length; }

        public double value(int step, int rank) { return values[step][rank]; }
    }

    /**
     * Held-out evaluations, one entry per evaluation.
     *
     * @param accuracy fraction in [0, 1]; NaN for language models, which have none
     */
    public record Evaluations(long[] steps, double[] loss, double[] accuracy) {
        public static final Evaluations NONE = new Evaluations(new long[0], new double[0], new double[0]);

        public Evaluations {
            if (steps.length != loss.length || steps.length != accuracy.length)
                throw new IllegalArgumentException("evaluations of unequal length: " + steps.length + " steps, "
                        + loss.length + " losses, " + accuracy.length + " accuracies");
        }

        public int size() { return steps.length; }
    }

    public Set<String> names() { return metrics.keySet(); }

    /** A float32 metric's [step][rank] values, or null if the trace has no metric of that name. */
    public float[][] floats(String name) {
        Metric m = metrics.get(name);
        if (m == null) return null;
        if (m instanceof Floats f) return f.values();
        throw new IllegalArgumentException("trace metric '" + name + "' is a count (int64): read it with counts()");
    }

    /**
     * A count's [step][rank] values, or null if the trace has no metric of that name. Traces
     * written before counts were int64 hold them as float32, whose whole values are returned.
     */
    public long[][] counts(String name) {
        Metric m = metrics.get(name);
        if (m == null) return null;
        if (m instanceof Counts c) return c.values();
        float[][] f = ((Floats) m).values();
        long[][] c = new long[f.length][];
        for (int s = 0; s < f.length; s++) {
            c[s] = new long[f[s].length];
            for (int r = 0; r < c[s].length; r++) c[s][r] = (long) f[s][r];
        }
        return c;
    }

    /** Any metric as doubles, or null if the trace has no metric of that name. */
    public double[][] values(String name) {
        Metric m = metrics.get(name);
        return m == null ? null : m.asDoubles();
    }
}
