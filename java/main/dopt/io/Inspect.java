package dopt.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Human-readable summaries of dopt's HDF5 files, for {@code dopt inspect}. */
public final class Inspect {
    /** Long attribute values (the job JSON) are cut to this many characters. */
    static final int MAX_VALUE_CHARS = 200;
    /** Values people look for first; shown in full whatever their length. */
    private static final Set<String> NEVER_SHORTENED = Set.of("step", "job_name", Checkpoint.FORMAT_ATTRIBUTE,
            Checkpoint.CHECKSUM_ATTRIBUTE);
    /** Up to this many ranks, the last step's value of every rank is listed. */
    private static final int LIST_RANKS = 8;

    private Inspect() {}

    /**
     * Describes an HDF5 file: size, root attributes, every dataset with dtype and shape, then for a
     * checkpoint whether its checksum verifies, and for a trace each metric's steps and last values.
     *
     * @throws IOException if the file is missing, truncated or not HDF5 (the message says which)
     */
    public static String describe(Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        boolean checkpoint;
        try (HdfFile h = HdfFiles.open(file, "file")) {
            Map<String, Object> values = HdfFiles.rootAttributes(h);
            Map<String, String> attributes = HdfFiles.asText(values);
            String format = attributes.getOrDefault(Checkpoint.FORMAT_ATTRIBUTE, "");
            checkpoint = format.equals(Checkpoint.FORMAT);
            String kind = checkpoint ? "dopt checkpoint"
                    : Trace.FORMATS.contains(format) ? "dopt trace" : "HDF5 file";
            out.append(file).append('\n');
            out.append(String.format(Locale.ROOT, "  %s, %,d bytes%n", kind, Files.size(file)));
            out.append("attributes:\n");
            attributes.keySet().stream().sorted().forEach(k ->
                    out.append("  ").append(k).append(" = ").append(shown(k, attributes.get(k)))
                            .append(values.get(k) instanceof String ? "" : values.get(k) instanceof Long ? "  (int64)" : "  (float64)").append('\n'));
            out.append("datasets:\n");
            try {
                for (String line : datasets(h)) out.append("  ").append(line).append('\n');
            } catch (RuntimeException e) {
                throw new IOException(HdfFiles.unreadable(file, "file", HdfFiles.reason(e)), e);
            }
            if (kind.equals("dopt trace")) metrics(Trace.read(h, file), out);
        }
        // verified after closing: reading the checkpoint opens the file again
        if (checkpoint) out.append(verification(file));
        return out.toString();
    }

    private static String shown(String key, String value) {
        String oneLine = value.replace("\r", "").replace("\n", "\\n");
        if (NEVER_SHORTENED.contains(key) || oneLine.length() <= MAX_VALUE_CHARS) return oneLine;
        return oneLine.substring(0, MAX_VALUE_CHARS) + "... (" + value.length() + " chars)";
    }

    private static String verification(Path file) {
        try {
            Checkpoint.Loaded loaded = Checkpoint.read(file);
            return "verification: checksum OK (" + loaded.tree().leaves().size() + " entries)\n";
        } catch (CheckpointException e) {
            return "verification: FAILED: " + e.getMessage() + "\n";
        }
    }

    private record Line(long order, String path, String text) {}

    /** One line per dataset, in written order where the file records it; split leaves count as one. */
    private static List<String> datasets(Group root) {
        List<Line> lines = new ArrayList<>();
        collect(root, lines);
        lines.sort(Comparator.comparingLong(Line::order).thenComparing(Line::path));
        int width = lines.stream().mapToInt(l -> l.path().length()).max().orElse(0);
        return lines.stream().map(l -> String.format(Locale.ROOT, "%-" + width + "s  %s", l.path(), l.text())).toList();
    }

    private static void collect(Group group, List<Line> out) {
        for (Node n : group) {
            Long order = HdfFiles.longAttribute(n, TreeLayout.ORDER);
            long o = order == null ? Long.MAX_VALUE : order;
            String layout = HdfFiles.textAttribute(n, TreeLayout.LAYOUT);
            long[] logical = HdfFiles.longsAttribute(n, TreeLayout.SHAPE);
            if (n instanceof Group g && TreeLayout.PARTS.equals(layout)) {
                String dtype = g.getChildren().get("part0") instanceof Dataset first ? HdfFiles.dtypeName(first.getDataType()) : "?";
                out.add(new Line(o, n.getPath(), dtype + "  " + Arrays.toString(logical)
                        + "  (stored as " + g.getChildren().size() + " parts)"));
            } else if (n instanceof Group g) {
                collect(g, out);
            } else if (n instanceof Dataset d) {
                String dtype = HdfFiles.dtypeName(d.getDataType());
                String shape = TreeLayout.EMPTY.equals(layout) ? Arrays.toString(logical) + "  (empty)"
                        : d.isScalar() ? "scalar" : Arrays.toString(d.getDimensions());
                out.add(new Line(o, n.getPath(), dtype + "  " + shape));
            }
        }
    }

    private static void metrics(TraceData trace, StringBuilder out) {
        out.append("metrics (at the last step, across ranks):\n");
        for (Map.Entry<String, TraceData.Metric> e : trace.metrics().entrySet()) {
            TraceData.Metric m = e.getValue();
            String units = m.units().isEmpty() ? "" : " [" + m.units() + "]";
            if (m.steps() == 0 || m.ranks() == 0) {
                out.append("  ").append(e.getKey()).append(units).append(": no steps\n");
                continue;
            }
            int last = m.steps() - 1, ranks = m.ranks();
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int r = 0; r < ranks; r++) {
                double x = m.value(last, r);
                sum += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            out.append(String.format(Locale.ROOT, "  %s%s: %d steps; last step (%d) mean %s", e.getKey(), units, m.steps(),
                    trace.steps()[last], number(sum / ranks)));
            if (ranks <= LIST_RANKS) {
                out.append(", per rank [");
                for (int r = 0; r < ranks; r++) out.append(r == 0 ? "" : ", ").append(number(m.value(last, r)));
                out.append(']');
            } else {
                out.append(", min ").append(number(min)).append(", max ").append(number(max));
            }
            out.append('\n');
        }
        TraceData.Evaluations ev = trace.evaluations();
        out.append("evaluations (held-out):").append(ev.size() == 0 ? " none\n" : "\n");
        for (int i = 0; i < ev.size(); i++)
            out.append(String.format(Locale.ROOT, "  step %d: loss %s, accuracy %s%n", ev.steps()[i], number(ev.loss()[i]),
                    number(ev.accuracy()[i])));
    }

    private static String number(double x) {
        return String.format(Locale.ROOT, "%.6g", x);
    }
}
