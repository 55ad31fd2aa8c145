package dopt.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dopt.compress.NaturalDithering;
import dopt.compress.Qsgd;
import dopt.io.Trace;
import dopt.job.Job;
import dopt.job.JobFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Collects the runs of {@code benchmarks/comm/compressed-training.sh} (one {@code dopt run} per
 * compressor, same job otherwise) into results.json and report.md: bytes each rank sent per step
 * and the milliseconds per step (both from trace.h5), test accuracy and losses (summary.json), and
 * each run's ratio to the first (dense) run.
 *
 * <pre>
 * java -cp target/dopt.jar dopt.bench.CompressedTrainingReport OUT_DIR MACHINE COMMAND NOTE \
 *      LABEL PAIRING JOB RUN_DIR LOAD [LABEL PAIRING JOB RUN_DIR LOAD]...
 * </pre>
 * LOAD is the 1-minute load average when the run started (the machine is shared).
 */
public final class CompressedTrainingReport {
    private CompressedTrainingReport() { }

    /**
     * One run's figures. Bytes are per step and rank; stepMs, computeMs and commMs are medians over
     * steps of the mean over ranks (robust to the JIT warm-up of the first steps and to other jobs
     * on a shared machine); wallMs is the loop's mean, warm-up included.
     */
    record Row(String label, String pairing, Job job, int ranks, double bytesPerStep, double wallMs, double stepMs, double computeMs, double commMs,
               double testAccuracyPct, double testLoss, double finalLoss, String load) { }

    public static void main(String[] args) throws Exception {
        if (args.length < 9 || (args.length - 4) % 5 != 0)
            throw new IllegalArgumentException("usage: OUT_DIR MACHINE COMMAND NOTE (LABEL PAIRING JOB RUN_DIR LOAD)...");
        Path out = Path.of(args[0]);
        List<Row> rows = new ArrayList<>();
        for (int i = 4; i < args.length; i += 5) rows.add(read(args[i], args[i + 1], Path.of(args[i + 2]), Path.of(args[i + 3]), args[i + 4]));
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.json"), json(rows, args[1], args[2], args[3]));
        Files.writeString(out.resolve("report.md"), markdown(rows, args[1], args[2], args[3]));
    }

    static Row read(String label, String pairing, Path jobFile, Path dir, String load) throws Exception {
        Job job = JobFile.read(jobFile);
        dopt.io.RunSummary s = dopt.io.RunSummary.read(dopt.io.RunFolder.summary(dir));
        var trace = Trace.read(dopt.io.RunFolder.trace(dir));
        long[][] bytes = trace.counts("bytes_sent");
        float[][] compute = trace.floats("compute_ms"), comm = trace.floats("comm_ms");
        long sum = 0;
        int cells = 0;
        for (long[] step : bytes) for (long b : step) { sum += b; cells++; }
        float[][] step = new float[compute.length][];
        for (int i = 0; i < step.length; i++) {
            step[i] = new float[compute[i].length];
            for (int r = 0; r < step[i].length; r++) step[i][r] = compute[i][r] + comm[i][r];
        }
        return new Row(label, pairing, job, s.ranks(), (double) sum / cells, 1000 / s.stepsPerSecond(), medianOfRankMeans(step), medianOfRankMeans(compute),
                medianOfRankMeans(comm), 100 * s.testAccuracy(), s.testLoss(), s.finalTrainLoss(), load);
    }

    private static double medianOfRankMeans(float[][] m) {
        double[] v = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            double t = 0;
            for (float x : m[i]) t += x;
            v[i] = t / m[i].length;
        }
        Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Parameters of an MLP on 28×28 inputs and 10 classes; 0 for other models. */
    static long mlpParams(Job job) {
        if (job.model.type != Job.ModelType.MLP) return 0;
        long d = 0, in = 784;
        for (int h : job.model.hidden) {
            d += in * h + h;
            in = h;
        }
        return d + in * 10 + 10;
    }

    private static String json(List<Row> rows, String machine, String command, String note) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("machine", machine).put("command", command).put("note", note);
        Row dense = rows.get(0);
        root.put("steps", dense.job().steps).put("ranks", dense.ranks()).put("seed", dense.job().seed);
        ArrayNode runs = root.putArray("runs");
        for (Row r : rows) {
            ObjectNode o = runs.addObject();
            o.put("label", r.label()).put("error_feedback", r.pairing())
                    .put("bytes_sent_per_rank_per_step", r.bytesPerStep()).put("bytes_ratio_to_dense", r.bytesPerStep() / dense.bytesPerStep())
                    .put("median_step_ms", r.stepMs()).put("time_ratio_to_dense", r.stepMs() / dense.stepMs())
                    .put("mean_wall_ms_per_step_with_warmup", r.wallMs())
                    .put("median_compute_ms", r.computeMs()).put("median_comm_ms", r.commMs())
                    .put("test_accuracy_pct", r.testAccuracyPct()).put("test_loss", r.testLoss()).put("final_train_loss", r.finalLoss())
                    .put("load_average_at_start", r.load());
        }
        return om.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    private static String markdown(List<Row> rows, String machine, String command, String note) {
        Row dense = rows.get(0);
        Job j = dense.job();
        StringBuilder sb = new StringBuilder();
        sb.append("# Compressed data-parallel training: ").append(j.model.type.name().toLowerCase()).append(" on ").append(j.data.dataset.id()).append("\n\n");
        sb.append("Machine: ").append(machine).append("  \nCommand: `").append(command).append("`\n\n");
        String hyper = j.optimizer.name == Job.OptimizerName.SGD ? "momentum " + fmt(j.optimizer.momentum)
                : "β₁ " + fmt(j.optimizer.beta1) + ", β₂ " + fmt(j.optimizer.beta2);
        sb.append(String.format(Locale.ROOT, "Setup: %d ranks (`dopt run --np %d --dev multicore`), %s, batch %d per rank, optimizer %s (lr %s, %s, %s), %d steps, seed %d, the same job for every run but `comm`.%n%n",
                dense.ranks(), dense.ranks(), j.model.type == Job.ModelType.MLP ? "MLP 784-" + join(j.model.hidden) + "-10 (" + mlpParams(j) + " parameters)"
                        : "transformer preset " + j.model.preset.name().toLowerCase() + ", sequence length " + j.data.seqLen,
                j.data.batchSize, j.optimizer.name.name().toLowerCase(), fmt(j.optimizer.lr), hyper, j.optimizer.schedule.name().toLowerCase(), j.steps, j.seed));
        sb.append(note).append("\n\n");
        boolean lm = j.model.type == Job.ModelType.TRANSFORMER;
        sb.append("| compressor | error feedback | bytes sent / rank / step | × dense | median step ms | × dense | median compute ms | median comm ms | mean wall ms (with warm-up) | ")
                .append(lm ? "val loss | val ppl" : "test acc % | test loss").append(" | final train loss | load at start |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows)
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f | %.1f | %.2f | %.1f | %.1f | %.0f | %s | %s | %.4f | %s |%n", r.label(), r.pairing(),
                    human(r.bytesPerStep()), r.bytesPerStep() / dense.bytesPerStep(), r.stepMs(), r.stepMs() / dense.stepMs(),
                    r.computeMs(), r.commMs(), r.wallMs(), lm ? fmt(r.testLoss()) : String.format(Locale.ROOT, "%.2f", r.testAccuracyPct()),
                    lm ? String.format(Locale.ROOT, "%.3f", Math.exp(r.testLoss())) : fmt(r.testLoss()), r.finalLoss(), r.load()));
        sb.append("\nBytes are what each rank's communicator counted per training step (trace.h5 `bytes_sent`): the compressed message,"
                + " or for dense and PowerSGD the ring all-reduce volume 2(n−1)/n·4 bytes per float, plus 8 bytes for the loss and stop flag"
                + " and, for message-based compressors, a 4-byte length per peer. Step ms is compute (forward+backward)"
                + " plus comm (the exchange, compression and decompression included), the median over steps of the mean over ranks; its ratio"
                + " is the time column's × dense. The mean wall time per step of the loop (no evaluation or checkpoint inside it) also holds"
                + " the JIT warm-up of the first steps and whatever else the machine ran.\n");
        long d = mlpParams(j);
        if (d > 0)
            for (Row r : rows) {
                Job.Comm c = r.job().comm;
                double omega = c.compressor == Job.CompressorName.QSGD ? new Qsgd(c.levels).omega((int) d)
                        : c.compressor == Job.CompressorName.NATURAL_DITHERING ? new NaturalDithering(c.levels).omega((int) d) : Double.NaN;
                if (!Double.isNaN(omega))
                    sb.append(String.format(Locale.ROOT, "%n%s: variance factor ω = %.2f at d = %d (unbiased, no error feedback).", r.label(), omega, d));
            }
        sb.append("\n");
        return sb.toString();
    }

    private static String join(List<Integer> h) {
        StringBuilder sb = new StringBuilder();
        for (int x : h) sb.append(sb.length() == 0 ? "" : "-").append(x);
        return sb.toString();
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.4g", v); }

    static String human(double bytes) {
        if (bytes < 1024) return String.format(Locale.ROOT, "%.0f B", bytes);
        if (bytes < 1 << 20) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
        return String.format(Locale.ROOT, "%.2f MiB", bytes / (1 << 20));
    }
}
