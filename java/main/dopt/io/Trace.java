package dopt.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A run's {@link TraceData} as one HDF5 file, laid out for h5py and h5dump users:
 * <ul>
 *   <li>{@code /step}: int64 [steps], the step number of each row;</li>
 *   <li>{@code /trace/<metric>}: [step][rank], float32 for measurements and int64 for counts, with
 *       text attributes {@code units} and {@code dims = "step,rank"};</li>
 *   <li>{@code /eval/step} (int64), {@code /eval/loss} and {@code /eval/accuracy} (float64): the
 *       held-out evaluations, absent if the run has not evaluated yet;</li>
 *   <li>{@code /federated/weights}: float32 [round][client], MeritFed's aggregation weights after each
 *       round, with {@code units} and {@code dims = "step,client"} (the data's {@link TraceData#tables}
 *       under {@link #TABLE_GROUPS}; absent for other runs);</li>
 *   <li>root attributes {@code format = "dopt-trace-2"} and the caller's (job JSON, job name,
 *       ranks), text as UTF-8 strings and numbers as numbers.</li>
 * </ul>
 * Traces of format {@code dopt-trace-1} (every metric float32, no step index, no evaluations)
 * are still read. jhdf cannot append, so the whole trace is rewritten each time, atomically like
 * a checkpoint.
 */
public final class Trace {
    public static final String FORMAT = "dopt-trace-2";
    /** Formats {@link #read} understands. */
    public static final Set<String> FORMATS = Set.of("dopt-trace-1", FORMAT);
    public static final String GROUP = "trace";
    public static final String STEP = "step";
    public static final String EVAL = "eval";
    public static final String DIMS = "step,rank";
    /** The groups whose datasets are {@link TraceData#tables}, each table at {@code <group>/<name>}. */
    public static final Set<String> TABLE_GROUPS = Set.of("federated");

    private Trace() {}

    /**
     * Writes {@code data} to {@code file} atomically, replacing any file there.
     *
     * @param attributes extra root attributes (e.g. "job" JSON, "job_name", "ranks"): String,
     *                   Long/Integer or Double/Float values; not "format"
     * @throws IOException naming {@code file} if it cannot be written (also for ragged matrices,
     *                     rows that do not match the step index, or names HDF5 cannot hold); no
     *                     temporary file is left behind
     */
    public static void write(Path file, TraceData data, Map<String, ?> attributes) throws IOException {
        Objects.requireNonNull(data, "data");
        Map<String, ?> extra = attributes == null ? Map.of() : attributes;
        if (extra.containsKey(Checkpoint.FORMAT_ATTRIBUTE) || extra.containsKey(HdfFiles.JHDF_STAMP))
            throw new IllegalArgumentException("trace attribute names 'format' and '_jHDF' are reserved");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put(Checkpoint.FORMAT_ATTRIBUTE, FORMAT);
        root.putAll(extra);
        HdfFiles.writeAtomically(file, "trace", root, (out, text) -> {
            int steps = data.steps().length;
            if (steps > 0) out.putDataset(STEP, data.steps());
            WritableGroup group = out.putGroup(GROUP);
            long order = 0;
            for (Map.Entry<String, TraceData.Metric> e : data.metrics().entrySet()) {
                TraceData.Metric m = e.getValue();
                if (m.steps() != steps)
                    throw new IOException("metric '" + e.getKey() + "' has " + m.steps() + " steps but the step index " + steps);
                WritableDataset d = putMatrix(group, e.getKey(), m);
                text.put(d, "units", units(e.getKey(), m.units()));
                text.put(d, "dims", DIMS);
                d.putAttribute(TreeLayout.ORDER, order++);
            }
            Map<String, WritableGroup> tableGroups = new LinkedHashMap<>();
            for (Map.Entry<String, TraceData.Floats> e : data.tables().entrySet()) {
                String[] path = e.getKey().split("/", -1);
                if (path.length != 2 || !TABLE_GROUPS.contains(path[0]))
                    throw new IOException("trace table '" + e.getKey() + "' must be <group>/<name> with a group of " + TABLE_GROUPS);
                TraceData.Floats t = e.getValue();
                if (t.steps() != steps)
                    throw new IOException("table '" + e.getKey() + "' has " + t.steps() + " steps but the step index " + steps);
                WritableGroup g = tableGroups.get(path[0]);
                if (g == null) tableGroups.put(path[0], g = out.putGroup(path[0]));
                WritableDataset d = putMatrix(g, path[1], t);
                text.put(d, "units", units(e.getKey(), t.units()));
                text.put(d, "dims", "step,client");
            }
            TraceData.Evaluations ev = data.evaluations();
            if (ev.size() > 0) {
                WritableGroup g = out.putGroup(EVAL);
                g.putDataset(STEP, ev.steps());
                text.put(g.putDataset("loss", ev.loss()), "units", "nats (held-out set, mean over its examples)");
                text.put(g.putDataset("accuracy", ev.accuracy()), "units", "fraction correct (NaN for language models)");
            }
        });
    }

    private static String units(String metric, String units) throws IOException {
        String u = units == null ? "" : units;
        if (u.indexOf('\0') >= 0 || u.length() > 1024) throw new IOException("units of metric '" + metric + "' must be short text");
        return u;
    }

    private static WritableDataset putMatrix(WritableGroup group, String name, TraceData.Metric m) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals(".."))
            throw new IOException("metric name '" + name + "' cannot be an HDF5 dataset name");
        Object[] rows = m instanceof TraceData.Floats f ? f.values() : ((TraceData.Counts) m).values();
        int ranks = rows.length == 0 || rows[0] == null ? 0 : java.lang.reflect.Array.getLength(rows[0]);
        for (int s = 0; s < rows.length; s++)
            if (rows[s] == null || java.lang.reflect.Array.getLength(rows[s]) != ranks)
                throw new IOException("metric '" + name + "' is ragged: step 0 has " + ranks + " ranks, step " + s + " has "
                        + (rows[s] == null ? "none" : java.lang.reflect.Array.getLength(rows[s])));
        if (rows.length == 0 || ranks == 0) {
            // jhdf cannot write zero-length datasets: a marked scalar of the right type stands in, as in checkpoints
            WritableDataset d = m instanceof TraceData.Floats ? group.putDataset(name, 0f) : group.putDataset(name, 0L);
            d.putAttribute(TreeLayout.LAYOUT, TreeLayout.EMPTY);
            d.putAttribute(TreeLayout.SHAPE, new long[] {rows.length, ranks});
            return d;
        }
        return group.putDataset(name, rows);
    }

    /**
     * Reads a trace.
     *
     * @throws IOException if the file is missing, truncated, not HDF5 or not a dopt trace
     */
    public static TraceData read(Path file) throws IOException {
        try (HdfFile h = HdfFiles.open(file, "trace")) {
            return read(h, file);
        }
    }

    /** The contents of an open trace file. */
    static TraceData read(HdfFile h, Path file) throws IOException {
        try {
            Map<String, TraceData.Metric> metrics = metrics(h, file);
            int rows = metrics.isEmpty() ? 0 : metrics.values().iterator().next().steps();
            long[] steps = h.getChildren().get(STEP) instanceof Dataset d ? longs(d, file) : oneTo(rows);
            for (Map.Entry<String, TraceData.Metric> e : metrics.entrySet())
                if (e.getValue().steps() != steps.length)
                    throw new IOException("trace " + file + ": metric '" + e.getKey() + "' has " + e.getValue().steps()
                            + " steps but /" + STEP + " has " + steps.length);
            return new TraceData(steps, metrics, evaluations(h, file), tables(h, file));
        } catch (RuntimeException e) {
            throw new IOException(HdfFiles.unreadable(file, "trace", HdfFiles.reason(e)), e);
        }
    }

    private static Map<String, TraceData.Metric> metrics(HdfFile h, Path file) throws IOException {
        if (!(h.getChildren().get(GROUP) instanceof Group group))
            throw new IOException("trace " + file + " has no /" + GROUP + " group: it is not a dopt trace");
        record Ordered(long order, String name, TraceData.Metric metric) {}
        List<Ordered> ordered = new ArrayList<>();
        for (Node n : group) {
            if (!(n instanceof Dataset d))
                throw new IOException("trace " + file + ": " + n.getPath() + " is not a dataset");
            Long order = HdfFiles.longAttribute(d, TreeLayout.ORDER);
            String units = HdfFiles.textAttribute(d, "units");
            ordered.add(new Ordered(order == null ? Long.MAX_VALUE : order, d.getName(), matrix(d, units == null ? "" : units, file)));
        }
        ordered.sort(Comparator.comparingLong(Ordered::order).thenComparing(Ordered::name));
        Map<String, TraceData.Metric> out = new LinkedHashMap<>();
        for (Ordered o : ordered) out.put(o.name(), o.metric());
        return out;
    }

    private static Map<String, TraceData.Floats> tables(HdfFile h, Path file) throws IOException {
        Map<String, TraceData.Floats> out = new LinkedHashMap<>();
        for (String group : TABLE_GROUPS) {
            if (!(h.getChildren().get(group) instanceof Group g)) continue;
            for (Node n : g) {
                String units = n instanceof Dataset d ? HdfFiles.textAttribute(d, "units") : null;
                if (!(n instanceof Dataset d) || !(matrix(d, units == null ? "" : units, file) instanceof TraceData.Floats f))
                    throw new IOException("trace " + file + ": " + n.getPath() + " is not a float32 [step][column] table");
                out.put(group + "/" + n.getName(), f);
            }
        }
        return out;
    }

    private static TraceData.Metric matrix(Dataset d, String units, Path file) throws IOException {
        if (TreeLayout.EMPTY.equals(HdfFiles.textAttribute(d, TreeLayout.LAYOUT))) {
            long[] shape = HdfFiles.longsAttribute(d, TreeLayout.SHAPE);
            if (shape == null || shape.length != 2 || shape[0] < 0 || shape[1] < 0 || shape[0] > Integer.MAX_VALUE
                    || shape[1] > Integer.MAX_VALUE)
                throw new IOException("trace " + file + ": " + d.getPath() + " is marked empty but has no valid shape");
            int steps = (int) shape[0], ranks = (int) shape[1];
            return d.getData() instanceof Long ? new TraceData.Counts(new long[steps][ranks], units)
                    : new TraceData.Floats(new float[steps][ranks], units);
        }
        if (d.getDimensions().length == 2 && d.getData() instanceof float[][] f) return new TraceData.Floats(f, units);
        if (d.getDimensions().length == 2 && d.getData() instanceof long[][] l) return new TraceData.Counts(l, units);
        throw new IOException("trace " + file + ": " + d.getPath() + " is " + HdfFiles.dtypeName(d.getDataType())
                + " of rank " + d.getDimensions().length + ", not a 2-D float32 or int64 [step][rank] matrix");
    }

    private static TraceData.Evaluations evaluations(HdfFile h, Path file) throws IOException {
        if (!(h.getChildren().get(EVAL) instanceof Group g)) return TraceData.Evaluations.NONE;
        long[] steps = longs(dataset(g, STEP, file), file);
        double[] loss = doubles(dataset(g, "loss", file), file), accuracy = doubles(dataset(g, "accuracy", file), file);
        if (loss.length != steps.length || accuracy.length != steps.length)
            throw new IOException("trace " + file + ": /" + EVAL + " has " + steps.length + " steps, " + loss.length
                    + " losses and " + accuracy.length + " accuracies");
        return new TraceData.Evaluations(steps, loss, accuracy);
    }

    private static Dataset dataset(Group g, String name, Path file) throws IOException {
        if (g.getChildren().get(name) instanceof Dataset d) return d;
        throw new IOException("trace " + file + " has no dataset " + g.getPath() + name);
    }

    private static long[] longs(Dataset d, Path file) throws IOException {
        if (d.getData() instanceof long[] l) return l;
        throw new IOException("trace " + file + ": " + d.getPath() + " is not a 1-D int64 vector");
    }

    private static double[] doubles(Dataset d, Path file) throws IOException {
        if (d.getData() instanceof double[] x) return x;
        throw new IOException("trace " + file + ": " + d.getPath() + " is not a 1-D float64 vector");
    }

    private static long[] oneTo(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) s[i] = i + 1;
        return s;
    }
}
