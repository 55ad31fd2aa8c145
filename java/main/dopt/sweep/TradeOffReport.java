package dopt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.io.RunFolder;
import dopt.io.RunSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * What a user choosing a memory budget and a compression level needs, for a sweep whose axes
 * include {@code optimizer} and {@code comm} (e.g. named variants "frugal-25%" and "topk-1%"): per
 * setting, averaged over the other axes except the task axis {@code "."} (seeds, usually), the
 * validation loss, optimizer state per rank, bytes of a rank's gradient message per step, time per
 * step and throughput; the settings on the Pareto front of (state bytes, message bytes, loss) per
 * task; plots of loss against state (a line per compression level) and against message bytes (a
 * line per optimizer setting), the front marked. A point refused because its budget is below every
 * setting is listed as unreachable with the least reachable figure, not as a failure.
 */
final class TradeOffReport {
    static final String TASK = Expansion.ROOT, OPTIMIZER = "optimizer", COMM = "comm";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TradeOffReport() { }

    /** Whether {@code report}'s sweep has the axes this report groups by. */
    static boolean applies(SweepReport report) {
        return report.axes().contains(OPTIMIZER) && report.axes().contains(COMM);
    }

    /** One setting (task, optimizer, comm) over its points. */
    record Setting(String task, String optimizer, String comm, List<String> points, int ok, double loss, double lossSd,
                   double accuracy, double stateBytes, double messageBytes, double msPerStep, double throughput, String unit,
                   String choice, String unreachable) {
        boolean measured() { return ok > 0 && !Double.isNaN(loss); }
    }

    static List<Setting> settings(SweepReport report, SweepFolder folder) {
        Map<String, List<PointOutcome>> groups = new LinkedHashMap<>();
        for (PointOutcome o : report.outcomes())
            groups.computeIfAbsent(label(o, TASK) + "\u0000" + label(o, OPTIMIZER) + "\u0000" + label(o, COMM), k -> new ArrayList<>()).add(o);
        List<Setting> out = new ArrayList<>();
        for (List<PointOutcome> g : groups.values()) {
            List<Double> losses = new ArrayList<>(), acc = new ArrayList<>(), ms = new ArrayList<>(), thr = new ArrayList<>();
            double state = Double.NaN, message = Double.NaN;
            String choice = null, unreachable = null, unit = "samples/s";
            for (PointOutcome o : g) {
                if (o.status() == PointOutcome.Status.FAILED) {
                    String refusal = refusal(folder.pointDir(o.id()).resolve(SweepFolder.JOB_LOG));
                    if (refusal != null) unreachable = leastReachable(refusal);
                }
                if (o.status() != PointOutcome.Status.OK) continue;
                Path dir = folder.pointDir(o.id());
                try {
                    RunSummary s = RunSummary.read(RunFolder.summary(dir));
                    JsonNode job = JSON.readTree(folder.jobFile(o.id()).toFile());
                    losses.add(s.testLoss());
                    if (!Double.isNaN(s.testAccuracy())) acc.add(100 * s.testAccuracy());
                    ms.add(1000 / s.stepsPerSecond());
                    double perStep = s.ranks() * job.path("data").path("batch_size").asDouble(64);
                    if ("transformer".equals(job.path("model").path("type").asText())) {
                        perStep *= job.path("data").path("seq_len").asDouble(128);
                        unit = "tokens/s";
                    }
                    thr.add(perStep * s.stepsPerSecond());
                    state = s.optimizerStateBytesPerRank();
                    message = s.messageBytesPerStep() < 0 ? Double.NaN : s.messageBytesPerStep();
                    choice = s.budgetChoice();
                } catch (IOException | RuntimeException e) {
                    // unreadable summary: the sweep table names it; this setting simply has one point fewer
                }
            }
            PointOutcome first = g.get(0);
            out.add(new Setting(label(first, TASK), label(first, OPTIMIZER), label(first, COMM), g.stream().map(PointOutcome::id).toList(),
                    losses.size(), mean(losses), sd(losses), mean(acc), state, message, mean(ms), mean(thr), unit, choice, unreachable));
        }
        return out;
    }

    /** The measured settings of one task on the Pareto front: no other is at least as good in all three and better in one. */
    static List<Setting> front(List<Setting> ofTask) {
        List<Setting> m = ofTask.stream().filter(Setting::measured).toList();
        List<Setting> front = new ArrayList<>();
        for (Setting a : m) {
            boolean dominated = false;
            for (Setting b : m) {
                if (a == b) continue;
                boolean noWorse = b.stateBytes <= a.stateBytes && msg(b) <= msg(a) && b.loss <= a.loss;
                boolean better = b.stateBytes < a.stateBytes || msg(b) < msg(a) || b.loss < a.loss;
                if (noWorse && better) dominated = true;
            }
            if (!dominated) front.add(a);
        }
        return front;
    }

    private static double msg(Setting s) { return Double.isNaN(s.messageBytes) ? Double.MAX_VALUE : s.messageBytes; }

    /** The Markdown section over {@code all} (see {@link #settings}), and its plots written into {@code plots}. */
    static String markdown(List<Setting> all, SweepFolder folder, Path plots) throws IOException {
        Files.createDirectories(plots);
        StringBuilder sb = new StringBuilder("\n## Memory budget × compression trade-off\n\n");
        sb.append("One row per setting, over its points (seeds): validation loss mean ± sd, optimizer state per rank and bytes of one rank's "
                + "gradient message per step (exact, from summary.json), time per step and throughput of the last run. "
                + "**front** marks the Pareto front of (state, message bytes, loss) within the task.\n\n");
        Map<String, List<Setting>> byTask = new LinkedHashMap<>();
        for (Setting s : all) byTask.computeIfAbsent(s.task, k -> new ArrayList<>()).add(s);
        for (Map.Entry<String, List<Setting>> t : byTask.entrySet()) {
            List<Setting> front = front(t.getValue());
            if (!t.getKey().isEmpty()) sb.append("### ").append(t.getKey()).append("\n\n");
            sb.append("| optimizer | comm | points ok | validation loss | test accuracy | state / rank | message / step | ms/step | throughput "
                    + "| budgets chose | | points |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
            for (Setting s : t.getValue()) {
                sb.append("| ").append(s.optimizer).append(" | ").append(s.comm).append(" | ").append(s.ok).append('/').append(s.points.size())
                        .append(" | ").append(s.measured() ? fmt("%.4f", s.loss) + (s.ok > 1 ? " ± " + fmt("%.4f", s.lossSd) : "")
                                : s.unreachable != null ? "unreachable: least " + s.unreachable : "—")
                        .append(" | ").append(Double.isNaN(s.accuracy) ? "—" : fmt("%.2f %%", s.accuracy))
                        .append(" | ").append(SweepReport.bytes(s.stateBytes)).append(" | ").append(SweepReport.bytes(s.messageBytes))
                        .append(" | ").append(Double.isNaN(s.msPerStep) ? "—" : fmt("%.1f", s.msPerStep))
                        .append(" | ").append(Double.isNaN(s.throughput) ? "—" : fmt("%,.0f ", s.throughput) + s.unit)
                        .append(" | ").append(s.choice == null ? "" : s.choice.replace("|", "/"))
                        .append(" | ").append(front.contains(s) ? "**front**" : "")
                        .append(" | ").append(String.join(" ", s.points.stream().map(p -> "[" + p + "](points/" + p + "/)").toList()))
                        .append(" |\n");
            }
            sb.append('\n');
            String name = t.getKey().isEmpty() ? "" : "-" + ReportPlots.fileName(t.getKey());
            List<Setting> m = t.getValue().stream().filter(Setting::measured).toList();
            if (m.isEmpty()) continue;
            Path a = ReportPlots.save(lossVs(m, front, true, t.getKey()), plots.resolve("tradeoff-loss-vs-state" + name + ".png"));
            Path b = ReportPlots.save(lossVs(m, front, false, t.getKey()), plots.resolve("tradeoff-loss-vs-message" + name + ".png"));
            for (Path p : List.of(a, b)) {
                String rel = folder.dir().relativize(p).toString();
                sb.append("![").append(rel).append("](").append(rel).append(")\n\n");
            }
        }
        return sb.toString();
    }

    /**
     * Loss against state bytes (a line per comm setting) or against message bytes (a line per
     * optimizer setting), log x; the front as black diamonds over them.
     */
    private static XYChart lossVs(List<Setting> m, List<Setting> front, boolean state, String task) {
        String x = state ? "optimizer state per rank (bytes, log)" : "gradient message per rank and step (bytes, log)";
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("validation loss vs " + (state ? "optimizer state, a line per compression level" : "bytes per step, a line per optimizer budget")
                        + (task.isEmpty() ? "" : " (" + task + ")"))
                .xAxisTitle(x).yAxisTitle("validation loss (mean over seeds)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(8);
        Map<String, List<Setting>> lines = new LinkedHashMap<>();
        for (Setting s : m) if (!Double.isNaN(xOf(s, state))) lines.computeIfAbsent(state ? s.comm : s.optimizer, k -> new ArrayList<>()).add(s);
        for (Map.Entry<String, List<Setting>> l : lines.entrySet()) {
            List<Setting> pts = new ArrayList<>(l.getValue());
            pts.sort(Comparator.comparingDouble(s -> xOf(s, state)));
            XYSeries series = chart.addSeries(l.getKey(), pts.stream().mapToDouble(s -> xOf(s, state)).toArray(),
                    pts.stream().mapToDouble(Setting::loss).toArray());
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        List<Setting> f = front.stream().filter(s -> !Double.isNaN(xOf(s, state))).toList();
        if (!f.isEmpty()) {
            XYSeries s = chart.addSeries("Pareto front (state, bytes, loss)", f.stream().mapToDouble(p -> xOf(p, state)).toArray(),
                    f.stream().mapToDouble(Setting::loss).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.DIAMOND);
            s.setMarkerColor(java.awt.Color.BLACK);
        }
        return chart;
    }

    private static double xOf(Setting s, boolean state) {
        double v = state ? s.stateBytes : s.messageBytes;
        return v > 0 ? v : Double.NaN;
    }

    /** The CSV of the settings, for scripts. */
    static String csv(List<Setting> all) {
        StringBuilder sb = new StringBuilder("task,optimizer,comm,points_ok,points,validation_loss,validation_loss_sd,test_accuracy_percent,"
                + "optimizer_state_bytes_per_rank,message_bytes_per_step,ms_per_step,throughput,throughput_unit,budget_choice,unreachable_least\n");
        for (Setting s : all)
            sb.append(String.join(",", Csv.field(s.task), Csv.field(s.optimizer), Csv.field(s.comm), Integer.toString(s.ok),
                    Integer.toString(s.points.size()), n(s.loss), n(s.lossSd), n(s.accuracy), n(s.stateBytes), n(s.messageBytes),
                    n(s.msPerStep), n(s.throughput), s.unit, Csv.field(s.choice == null ? "" : s.choice),
                    Csv.field(s.unreachable == null ? "" : s.unreachable))).append('\n');
        return sb.toString();
    }

    private static String n(double v) { return Double.isNaN(v) ? "" : Double.toString(v); }

    /** The line of a point's log that refuses a budget below every setting ({@code dopt.train.Budgets}), or null. */
    private static String refusal(Path log) {
        try {
            if (!Files.exists(log)) return null;
            for (String line : Files.readAllLines(log)) if (line.contains("is below the least")) return line;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** "1.50 MiB (1,572,864 B) per rank (blocks 1)" out of the refusal's message. */
    static String leastReachable(String note) {
        int at = note.indexOf("can keep for this model: ");
        if (at < 0) at = note.indexOf("can send for this model: ");
        if (at < 0) return "?";
        String rest = note.substring(at + "can keep for this model: ".length());
        int end = rest.indexOf("; give");
        return end < 0 ? rest : rest.substring(0, end);
    }

    private static String label(PointOutcome o, String axis) { return SweepReport.value(o, axis); }

    private static String fmt(String f, double v) { return String.format(Locale.ROOT, f, v); }

    private static double mean(List<Double> v) {
        return v.isEmpty() ? Double.NaN : v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double sd(List<Double> v) {
        if (v.size() < 2) return Double.NaN;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.size() - 1));
    }
}
