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

/**
 * Per-step, per-rank metrics of a run as one HDF5 file: {@code /trace/<metric>} is a 2-D float32
 * dataset [step][rank] with attributes {@code units} and {@code dims = "step,rank"}; the root
 * carries {@code format = "dopt-trace-1"} and the caller's attributes (job JSON, job name, ranks).
 *
 * <p>jhdf cannot append, so the whole trace is rewritten each time, atomically like a checkpoint.
 */
public final class Trace {
    public static final String FORMAT = "dopt-trace-1";
    public static final String GROUP = "trace";
    public static final String DIMS = "step,rank";

    private Trace() {}

    /** One metric as stored: its [step][rank] values and units. */
    record Metric(String name, float[][] values, String units) {}

    /**
     * Writes {@code metrics} to {@code file} atomically, replacing any file there.
     *
     * @param metrics    metric name → [steps][ranks] values (every row the same length); the map's
     *                   iteration order is kept
     * @param units      metric name → units text; a metric without an entry gets ""
     * @param attributes extra root attributes (e.g. "job" JSON, "job_name", "ranks"); not "format"
     * @throws IOException naming {@code file} if it cannot be written (also for ragged matrices or
     *                     names HDF5 cannot hold); no temporary file is left behind
     */
    public static void write(Path file, Map<String, float[][]> metrics, Map<String, String> units,
                             Map<String, String> attributes) throws IOException {
        Objects.requireNonNull(metrics, "metrics");
        Map<String, String> u = units == null ? Map.of() : units;
        Map<String, String> extra = attributes == null ? Map.of() : attributes;
        if (extra.containsKey(Checkpoint.FORMAT_ATTRIBUTE) || extra.containsKey(HdfFiles.JHDF_STAMP))
            throw new IllegalArgumentException("trace attribute names 'format' and '_jHDF' are reserved");
        HdfFiles.writeAtomically(file, "trace", out -> {
            Map<String, String> root = new LinkedHashMap<>();
            root.put(Checkpoint.FORMAT_ATTRIBUTE, FORMAT);
            root.putAll(extra);
            HdfFiles.putRootAttributes(out, root);
            WritableGroup group = out.putGroup(GROUP);
            long order = 0;
            for (Map.Entry<String, float[][]> e : metrics.entrySet()) {
                WritableDataset d = putMatrix(group, e.getKey(), e.getValue());
                d.putAttribute("units", units(u, e.getKey()));
                d.putAttribute("dims", DIMS);
                d.putAttribute(TreeLayout.ORDER, order++);
            }
        });
    }

    private static String units(Map<String, String> units, String metric) throws IOException {
        String u = units.getOrDefault(metric, "");
        if (u == null || u.indexOf('\0') >= 0 || u.length() > 1024)
            throw new IOException("units of metric '" + metric + "' must be short text");
        return u;
    }

    private static WritableDataset putMatrix(WritableGroup group, String name, float[][] values) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals(".."))
            throw new IOException("metric name '" + name + "' cannot be an HDF5 dataset name");
        int ranks = values.length == 0 ? 0 : values[0].length;
        for (int s = 0; s < values.length; s++)
            if (values[s] == null || values[s].length != ranks)
                throw new IOException("metric '" + name + "' is ragged: step 0 has " + ranks + " ranks, step " + s + " has "
                        + (values[s] == null ? "none" : values[s].length));
        if (values.length == 0 || ranks == 0) {
            // jhdf cannot write zero-length datasets: a marked scalar stands in, as in checkpoints
            WritableDataset d = group.putDataset(name, 0f);
            d.putAttribute(TreeLayout.LAYOUT, TreeLayout.EMPTY);
            d.putAttribute(TreeLayout.SHAPE, new long[] {values.length, ranks});
            return d;
        }
        return group.putDataset(name, values);
    }

    /**
     * Reads every metric of a trace, in the order it was written.
     *
     * @throws IOException if the file is missing, truncated, not HDF5 or not a dopt trace
     */
    public static Map<String, float[][]> read(Path file) throws IOException {
        try (HdfFile h = HdfFiles.open(file, "trace")) {
            Map<String, float[][]> out = new LinkedHashMap<>();
            for (Metric m : metrics(h, file)) out.put(m.name(), m.values());
            return out;
        }
    }

    /** The metrics of an open trace file, in written order. */
    static List<Metric> metrics(HdfFile h, Path file) throws IOException {
        try {
            if (!(h.getChildren().get(GROUP) instanceof Group group))
                throw new IOException("trace " + file + " has no /" + GROUP + " group: it is not a dopt trace");
            record Ordered(long order, Metric metric) {}
            List<Ordered> ordered = new ArrayList<>();
            for (Node n : group) {
                if (!(n instanceof Dataset d))
                    throw new IOException("trace " + file + ": " + n.getPath() + " is not a dataset");
                Long order = HdfFiles.longAttribute(d, TreeLayout.ORDER);
                String units = HdfFiles.textAttribute(d, "units");
                ordered.add(new Ordered(order == null ? Long.MAX_VALUE : order,
                        new Metric(d.getName(), matrix(d, file), units == null ? "" : units)));
            }
            ordered.sort(Comparator.comparingLong(Ordered::order).thenComparing(o -> o.metric().name()));
            return ordered.stream().map(Ordered::metric).toList();
        } catch (RuntimeException e) {
            throw new IOException(HdfFiles.unreadable(file, "trace", HdfFiles.reason(e)), e);
        }
    }

    private static float[][] matrix(Dataset d, Path file) throws IOException {
        if (TreeLayout.EMPTY.equals(HdfFiles.textAttribute(d, TreeLayout.LAYOUT))) {
            long[] shape = HdfFiles.longsAttribute(d, TreeLayout.SHAPE);
            if (shape == null || shape.length != 2 || shape[0] < 0 || shape[1] < 0 || shape[0] > Integer.MAX_VALUE
                    || shape[1] > Integer.MAX_VALUE)
                throw new IOException("trace " + file + ": " + d.getPath() + " is marked empty but has no valid shape");
            return new float[(int) shape[0]][(int) shape[1]];
        }
        if (d.getDimensions().length != 2 || !(d.getData() instanceof float[][] m))
            throw new IOException("trace " + file + ": " + d.getPath() + " is " + HdfFiles.dtypeName(d.getDataType())
                    + " of rank " + d.getDimensions().length + ", not a 2-D float32 [step][rank] matrix");
        return m;
    }
}
