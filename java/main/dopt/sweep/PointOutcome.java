package dopt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.io.Trace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What became of one point, read from its folder: the status, the figures of summary.json and the
 * per-step trace. Numbers that a point does not have are NaN.
 *
 * @param finalLoss    the global training loss at the last step (summary.json)
 * @param testAccuracy percent
 * @param msPerStep    wall-clock milliseconds per step of the last run (from steps/s)
 * @param bytesSent    bytes sent by all ranks over all steps (the trace's bytes_sent, summed)
 * @param computeMs    forward and backward milliseconds per step, mean over steps and ranks
 * @param commMs       allreduce milliseconds per step, mean over steps and ranks
 * @param lossCurve    the global loss per step, as far as the trace goes (empty without a trace)
 * @param note         why a point is not ok, or what was odd about it
 */
public record PointOutcome(String id, Map<String, JsonNode> values, Status status, double finalLoss, double testLoss,
                           double testAccuracy, double stepsPerSecond, double msPerStep, double bytesSent, double computeMs,
                           double commMs, float[] lossCurve, String note) {

    /** How a point ended. */
    public enum Status {
        /** rank 0 wrote _SUCCESS */
        OK,
        /** stopped on request after a checkpoint (preemption, time limit); running it again resumes */
        STOPPED,
        /** ended with an error: an exit code without _SUCCESS */
        FAILED,
        /** started but left no exit code: still running, or killed (time limit, node failure) */
        INCOMPLETE,
        /** never started */
        MISSING;

        public String label() { return name().toLowerCase(); }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*([-+0-9.eE]+)");

    /** Reads the outcome of point {@code id} from {@code dir}. */
    public static PointOutcome read(Path dir, String id, Map<String, JsonNode> values) {
        double[] s = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        String note = "";
        Status status;
        if (Files.exists(dir.resolve("_SUCCESS"))) {
            status = Status.OK;
            try {
                s = summary(dir.resolve("summary.json"));
            } catch (IOException | RuntimeException e) {
                note = "summary.json unreadable: " + e.getMessage();
            }
        } else if (Files.exists(dir.resolve("_STOPPED"))) {
            status = Status.STOPPED;
            note = "stopped on request (" + firstLine(dir.resolve("_STOPPED")) + "); submitting or running the sweep again resumes it";
        } else if (Files.exists(dir.resolve(SweepFolder.EXIT_CODE))) {
            status = Status.FAILED;
            note = "exit " + firstLine(dir.resolve(SweepFolder.EXIT_CODE)) + errorLine(dir.resolve(SweepFolder.JOB_LOG));
        } else if (Files.exists(dir.resolve(SweepFolder.JOB_LOG)) || Files.exists(dir.resolve("logs"))) {
            status = Status.INCOMPLETE;
            note = "no exit code: still running, or killed (time limit, node failure)" + errorLine(dir.resolve(SweepFolder.JOB_LOG));
        } else {
            status = Status.MISSING;
            note = "never ran (no output in " + dir + ")";
        }
        double bytes = Double.NaN, compute = Double.NaN, comm = Double.NaN;
        float[] curve = new float[0];
        Path trace = dir.resolve("trace.h5");
        if (Files.exists(trace)) {
            try {
                Map<String, float[][]> t = Trace.read(trace);
                bytes = sum(t.get("bytes_sent"));
                compute = mean(t.get("compute_ms"));
                comm = mean(t.get("comm_ms"));
                curve = column0(t.get("global_loss"));
            } catch (IOException e) {
                note = join(note, "trace unreadable: " + e.getMessage());
            }
        } else if (status == Status.OK) {
            note = join(note, "no trace.h5");
        }
        double msPerStep = s[3] > 0 ? 1000 / s[3] : Double.NaN;
        return new PointOutcome(id, values, status, s[0], s[1], s[2], s[3], msPerStep, bytes, compute, comm, curve, note);
    }

    /**
     * {final train loss, test loss, test accuracy %, steps/s} from summary.json; the numeric keys
     * "test_accuracy_pct" and "steps_per_second" are preferred where a summary has them, the
     * readable texts ("92.50 %", "44.8 (30 steps in 0.7 s)") are read otherwise.
     */
    private static double[] summary(Path file) throws IOException {
        JsonNode n = MAPPER.readTree(file.toFile());
        return new double[] {number(n.get("final train loss")), number(n.get("test loss")),
                number(n.has("test_accuracy_pct") ? n.get("test_accuracy_pct") : n.get("test accuracy")),
                number(n.has("steps_per_second") ? n.get("steps_per_second") : n.get("steps/s"))};
    }

    /** A number, or the number a text starts with ("92.50 %", "44.8 (30 steps in 0.7 s)"). */
    static double number(JsonNode n) {
        if (n == null || n.isNull()) return Double.NaN;
        if (n.isNumber()) return n.asDouble();
        Matcher m = LEADING_NUMBER.matcher(n.asText());
        if (!m.find()) return Double.NaN;
        try {
            return Double.parseDouble(m.group(1));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String firstLine(Path f) {
        try {
            List<String> lines = Files.readAllLines(f);
            return lines.isEmpty() ? "" : lines.get(0).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The first error line of a point's log: usually the cause, later ones are consequences. */
    static String errorLine(Path log) {
        if (!Files.exists(log)) return "";
        try {
            String failed = null;
            for (String line : Files.readAllLines(log)) {
                if (line.contains("error:")) return ": " + shorten(line.trim());
                if (failed == null && line.contains("failed")) failed = line.trim();
            }
            return failed == null ? "" : ": " + shorten(failed);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String shorten(String s) { return s.length() <= 240 ? s : s.substring(0, 237) + "..."; }

    private static String join(String a, String b) { return a.isEmpty() ? b : a + "; " + b; }

    private static double sum(float[][] m) {
        if (m == null) return Double.NaN;
        double s = 0;
        for (float[] row : m) for (float v : row) s += v;
        return s;
    }

    private static double mean(float[][] m) {
        if (m == null || m.length == 0 || m[0].length == 0) return Double.NaN;
        return sum(m) / ((double) m.length * m[0].length);
    }

    private static float[] column0(float[][] m) {
        if (m == null) return new float[0];
        float[] c = new float[m.length];
        for (int i = 0; i < m.length; i++) c[i] = m[i].length > 0 ? m[i][0] : Float.NaN;
        return c;
    }
}
