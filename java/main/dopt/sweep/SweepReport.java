package dopt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dopt.io.RunSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table over a sweep's points: {@code report.csv} (numbers as numbers, for scripts),
 * {@code report.md} (the same, readable, with the plots and a list of every point that is not ok)
 * and {@code plots/*.png}. Every point of the index gets a row, whatever became of it: a failed or
 * missing point is a row that says so, never a gap.
 */
public final class SweepReport {
    private final SweepFolder folder;
    private final SweepFolder.Index index;
    private final List<PointOutcome> outcomes;

    private SweepReport(SweepFolder folder, SweepFolder.Index index, List<PointOutcome> outcomes) {
        this.folder = folder;
        this.index = index;
        this.outcomes = outcomes;
    }

    /** Reads every point's outcome in the sweep folder {@code dir}. */
    public static SweepReport collect(Path dir) throws SweepException {
        SweepFolder folder = new SweepFolder(dir);
        SweepFolder.Index index = folder.readIndex();
        List<PointOutcome> outcomes = new ArrayList<>();
        for (SweepFolder.Entry e : index.points()) outcomes.add(PointOutcome.read(folder.pointDir(e.id()), e.id(), e.values()));
        return new SweepReport(folder, index, outcomes);
    }

    public List<PointOutcome> outcomes() { return outcomes; }

    public List<String> axes() { return index.axes(); }

    public String name() { return index.name(); }

    /** How many points ended in each status. */
    public Map<PointOutcome.Status, Integer> counts() {
        Map<PointOutcome.Status, Integer> c = new EnumMap<>(PointOutcome.Status.class);
        for (PointOutcome.Status s : PointOutcome.Status.values()) c.put(s, 0);
        for (PointOutcome o : outcomes) c.merge(o.status(), 1, Integer::sum);
        return c;
    }

    /** "3 points: 2 ok, 1 failed" */
    public String tally() {
        StringBuilder sb = new StringBuilder(outcomes.size() + " point" + (outcomes.size() == 1 ? "" : "s") + ":");
        String sep = " ";
        for (Map.Entry<PointOutcome.Status, Integer> e : counts().entrySet()) {
            if (e.getValue() == 0) continue;
            sb.append(sep).append(e.getValue()).append(' ').append(e.getKey().label());
            sep = ", ";
        }
        return sb.toString();
    }

    /** Writes report.csv, report.md and the plots into the sweep folder; returns report.md. */
    public Path write() throws SweepException {
        Path dir = folder.dir();
        try {
            List<Path> plots = ReportPlots.write(this, dir.resolve("plots"));
            SweepFolder.writeAtomically(dir.resolve("report.csv"), csv());
            Path md = dir.resolve("report.md");
            String text = markdown(plots.stream().map(p -> dir.relativize(p).toString()).toList());
            if (TradeOffReport.applies(this)) {
                List<TradeOffReport.Setting> settings = TradeOffReport.settings(this, folder);
                text += TradeOffReport.markdown(settings, folder, dir.resolve("plots"));
                SweepFolder.writeAtomically(dir.resolve("tradeoff.csv"), TradeOffReport.csv(settings));
            }
            SweepFolder.writeAtomically(md, text);
            return md;
        } catch (IOException e) {
            throw new SweepException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The CSV table: one row per point, empty cells where a point has no value. */
    public String csv() {
        StringBuilder sb = new StringBuilder("point");
        for (String a : axes()) sb.append(',').append(Csv.field(a));
        sb.append(",status,exchange,final_train_loss,test_loss,test_accuracy_pct,steps_per_s,ms_per_step,compute_ms,comm_ms,bytes_sent,"
                + "optimizer_state_bytes,note\n");
        for (PointOutcome o : outcomes) {
            sb.append(o.id());
            for (String a : axes()) sb.append(',').append(Csv.field(value(o, a)));
            sb.append(',').append(o.status().label());
            sb.append(',').append(o.exchange() == null ? "" : Csv.field(o.exchange()));
            for (double v : new double[] {o.finalLoss(), o.testLoss(), o.testAccuracy(), o.stepsPerSecond(), o.msPerStep(),
                    o.computeMs(), o.commMs()})
                sb.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v));
            for (double bytes : new double[] {o.bytesSent(), o.optimizerStateBytes()})
                sb.append(',').append(Double.isNaN(bytes) ? "" : String.format(Locale.ROOT, "%.0f", bytes));
            sb.append(',').append(Csv.field(o.note())).append('\n');
        }
        return sb.toString();
    }

    /** The Markdown report: tally, table, plots, and the points that are not ok with the reason. */
    public String markdown(List<String> plotFiles) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Sweep ").append(name()).append("\n\n");
        sb.append(tally()).append(" (").append(index.np()).append(index.np() == 1 ? " rank each, " : " ranks each, ").append(index.dev()).append("; folder `")
                .append(folder.dir()).append("`)\n\n");
        sb.append("| point |");
        for (String a : axes()) sb.append(' ').append(a).append(" |");
        sb.append(" status | exchange | final train loss | test loss | test accuracy | steps/s | ms/step | bytes sent | optimizer state |\n|---|");
        sb.append("---|".repeat(axes().size())).append("---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PointOutcome o : outcomes) {
            sb.append("| ").append(o.id()).append(" |");
            for (String a : axes()) sb.append(' ').append(cell(value(o, a))).append(" |");
            sb.append(' ').append(o.status() == PointOutcome.Status.OK ? "ok" : "**" + o.status().label() + "**").append(" |")
                    .append(' ').append(o.exchange() == null ? "—" : cell(o.exchange())).append(" |")
                    .append(' ').append(num(o.finalLoss(), "%.4f")).append(" |")
                    .append(' ').append(num(o.testLoss(), "%.4f")).append(" |")
                    .append(' ').append(Double.isNaN(o.testAccuracy()) ? "—" : num(o.testAccuracy(), "%.2f") + " %").append(" |")
                    .append(' ').append(num(o.stepsPerSecond(), "%.1f")).append(" |")
                    .append(' ').append(num(o.msPerStep(), "%.2f")).append(" |")
                    .append(' ').append(bytes(o.bytesSent())).append(" |")
                    .append(' ').append(bytes(o.optimizerStateBytes())).append(" |\n");
        }
        List<PointOutcome> notOk = outcomes.stream().filter(o -> o.status() != PointOutcome.Status.OK).toList();
        if (!notOk.isEmpty()) {
            sb.append("\n## Points that are not ok\n\n");
            for (PointOutcome o : notOk)
                sb.append("- ").append(o.id()).append(" (").append(cell(Point.describe(o.values()))).append("): **")
                        .append(o.status().label()).append("** — ").append(cell(o.note())).append('\n');
        }
        if (!plotFiles.isEmpty()) {
            sb.append("\n## Plots\n\n");
            for (String p : plotFiles) sb.append("![").append(p).append("](").append(p).append(")\n\n");
        }
        sb.append("\nStatus: ok = finished (_SUCCESS); stopped = checkpointed on request, resumes when run again; failed = "
                + "ended with an error; incomplete = no exit code (still running, or killed); missing = never ran. "
                + "Exchange: how the ranks combined their work (summary.json). Bytes sent: by all ranks over all steps (trace.h5). "
                + "Optimizer state: per rank (summary.json). ms/step: wall clock of the last run.\n");
        return sb.toString();
    }

    static String value(PointOutcome o, String axis) {
        JsonNode v = o.values().get(axis);
        return v == null ? "" : Point.text(v);
    }

    private static String cell(String s) { return s.replace("|", "\\|").replace("\n", " "); }

    private static String num(double v, String fmt) { return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, fmt, v); }

    /** Bytes in binary units ("7.81 KiB"), "—" for none. */
    static String bytes(double bytes) { return Double.isNaN(bytes) ? "—" : RunSummary.bytes(Math.round(bytes)); }
}
