package dopt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dopt.io.RunFolder;
import dopt.io.RunSummary;
import dopt.io.Trace;
import dopt.io.TraceData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What became of one point, read from its folder: the status, the figures of summary.json and the
 * per-step trace. Numbers that a point does not have are NaN.
 *
 * @param finalLoss    the global training loss at the last step (summary.json)
 * @param testAccuracy percent
 * @param msPerStep    wall-clock milliseconds per step of the last run (from steps/s)
 * @param bytesSent    bytes sent by all ranks over all steps (the trace's bytes_sent, summed)
 * @param computeMs    forward and backward milliseconds per step, mean over steps and ranks
 * @param commMs       milliseconds per step spent exchanging (whatever the exchange), mean over steps and ranks
 * @param lossCurve    the global loss per step, as far as the trace goes (empty without a trace)
 * @param note         why a point is not ok, or what was odd about it
 * @param optimizerStateBytes optimizer state per rank in bytes (summary.json)
 * @param exchange     how the ranks combined their work: "allreduce", a compressor, local steps (summary.json)
 */
public record PointOutcome(String id, Map<String, JsonNode> values, Status status, double finalLoss, double testLoss,
                           double testAccuracy, double stepsPerSecond, double msPerStep, double bytesSent, double computeMs,
                           double commMs, float[] lossCurve, String note, double optimizerStateBytes, String exchange) {

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


    /** Reads the outcome of point {@code id} from {@code dir}. */
    public static PointOutcome read(Path dir, String id, Map<String, JsonNode> values) {
        double[] s = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        String exchange = null;
        String note = "";
        Status status;
        if (Files.exists(RunFolder.success(dir))) {
            status = Status.OK;
            try {
                RunSummary r = RunSummary.read(RunFolder.summary(dir));
                s = new double[] {r.finalTrainLoss(), r.testLoss(), 100 * r.testAccuracy(), r.stepsPerSecond(), r.optimizerStateBytesPerRank()};
                exchange = r.exchange();
            } catch (IOException | RuntimeException e) {
                note = RunFolder.SUMMARY + " unreadable: " + e.getMessage();
            }
        } else if (Files.exists(RunFolder.stopped(dir))) {
            status = Status.STOPPED;
            note = "stopped on request (" + firstLine(RunFolder.stopped(dir)) + "); submitting or running the sweep again resumes it";
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
        Path trace = RunFolder.trace(dir);
        if (Files.exists(trace)) {
            try {
                TraceData t = Trace.read(trace);
                bytes = total(t.counts("bytes_sent"));
                compute = mean(t.floats("compute_ms"));
                comm = mean(t.floats("comm_ms"));
                curve = column0(t.floats("global_loss"));
            } catch (IOException | IllegalArgumentException e) {
                note = join(note, "trace unreadable: " + e.getMessage());
            }
        } else if (status == Status.OK) {
            note = join(note, "no trace.h5");
        }
        double msPerStep = s[3] > 0 ? 1000 / s[3] : Double.NaN;
        return new PointOutcome(id, values, status, s[0], s[1], s[2], s[3], msPerStep, bytes, compute, comm, curve, note, s[4], exchange);
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

    /** Exact while the total stays below 2^53 bytes. */
    private static double total(long[][] m) {
        if (m == null) return Double.NaN;
        long s = 0;
        for (long[] row : m) for (long v : row) s += v;
        return s;
    }

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
