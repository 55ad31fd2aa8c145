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
            Map<String, String> attributes = HdfFiles.rootAttributes(h);
            String format = attributes.getOrDefault(Checkpoint.FORMAT_ATTRIBUTE, "");
            checkpoint = format.equals(Checkpoint.FORMAT);
            String kind = checkpoint ? "dopt checkpoint"
                    : format.equals(Trace.FORMAT) ? "dopt trace" : "HDF5 file";
            out.append(file).append('\n');
            out.append(String.format(Locale.ROOT, "  %s, %,d bytes%n", kind, Files.size(file)));
            out.append("attributes:\n");
            attributes.keySet().stream().sorted().forEach(k ->
                    out.append("  ").append(k).append(" = ").append(shown(k, attributes.get(k))).append('\n'));
            out.append("datasets:\n");
            try {
                for (String line : datasets(h)) out.append("  ").append(line).append('\n');
            } catch (RuntimeException e) {
                throw new IOException(HdfFiles.unreadable(file, "file", HdfFiles.reason(e)), e);
            }
            if (kind.equals("dopt trace")) metrics(Trace.metrics(h, file), out);
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

    private static void metrics(List<Trace.Metric> metrics, StringBuilder out) {
        out.append("metrics (at the last step, across ranks):\n");
        for (Trace.Metric m : metrics) {
            float[][] v = m.values();
            String units = m.units().isEmpty() ? "" : " [" + m.units() + "]";
            if (v.length == 0 || v[0].length == 0) {
                out.append("  ").append(m.name()).append(units).append(": no steps\n");
                continue;
            }
            float[] last = v[v.length - 1];
            double sum = 0;
            for (float x : last) sum += x;
            out.append(String.format(Locale.ROOT, "  %s%s: %d steps; last step mean %s", m.name(), units, v.length,
                    number(sum / last.length)));
            if (last.length <= LIST_RANKS) {
                out.append(", per rank [");
                for (int r = 0; r < last.length; r++) out.append(r == 0 ? "" : ", ").append(number(last[r]));
                out.append(']');
            } else {
                float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
                for (float x : last) { min = Math.min(min, x); max = Math.max(max, x); }
                out.append(", min ").append(number(min)).append(", max ").append(number(max));
            }
            out.append('\n');
        }
    }

    private static String number(double x) {
        return String.format(Locale.ROOT, "%.6g", x);
    }
}
