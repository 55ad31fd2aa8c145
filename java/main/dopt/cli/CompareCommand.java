package dopt.cli;

import dopt.io.Trace;
import dopt.io.TraceData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Several runs side by side: loss curves in one PNG and a Markdown table, from their trace.h5 files. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare runs: plot their loss curves (mean over ranks, log scale) into one PNG and print a Markdown table",
                "(final loss, best loss, mean time per step, bytes sent per step and rank).",
                "Each RUN is a trace.h5 or an output folder, optionally LABEL=PATH."})
final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN")
    List<String> runs;
    @Option(names = "--out", description = "PNG to write (default: compare.png).", defaultValue = "compare.png")
    Path out;
    @Option(names = "--metric", description = "Trace metric to plot (default: ${DEFAULT-VALUE}).", defaultValue = "global_loss")
    String metric;
    @Option(names = "--title", defaultValue = "loss")
    String title;

    @Override
    public Integer call() {
        try {
            XYChart chart = new XYChartBuilder().width(1000).height(560).title(title).xAxisTitle("step").yAxisTitle(metric).build();
            chart.getStyler().setMarkerSize(0);
            chart.getStyler().setYAxisLogarithmic(true);
            List<String> rows = new ArrayList<>();
            rows.add("| run | steps | final " + metric + " | best | ms/step | bytes sent/step/rank |");
            rows.add("|---|---|---|---|---|---|");
            for (String spec : runs) {
                int eq = spec.indexOf('=');
                String label = eq > 0 ? spec.substring(0, eq) : spec;
                Path p = Path.of(eq > 0 ? spec.substring(eq + 1) : spec);
                if (!p.toString().endsWith(".h5")) p = p.resolve("trace.h5");
                TraceData t = Trace.read(p);
                double[][] m = t.values(metric);
                if (m == null) throw new IllegalArgumentException(p + " has no metric '" + metric + "'; it has " + t.names());
                List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
                double best = Double.POSITIVE_INFINITY, last = Double.NaN;
                for (int s = 0; s < m.length; s++) {
                    double mean = 0;
                    for (double v : m[s]) mean += v / m[s].length;
                    if (Double.isNaN(mean)) continue; // local methods trace the mean loss only at model averages
                    xs.add((double) t.steps()[s]);
                    ys.add(Math.max(mean, 1e-12));
                    best = Math.min(best, mean);
                    last = mean;
                }
                chart.addSeries(label, xs, ys).setMarker(SeriesMarkers.NONE);
                rows.add(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f | %.2f | %.0f |", label, m.length, last, best,
                        mean(t.values("compute_ms")) + mean(t.values("comm_ms")), mean(t.values("bytes_sent"))));
            }
            BitmapEncoder.saveBitmap(chart, out.toString(), BitmapEncoder.BitmapFormat.PNG);
            rows.forEach(System.out::println);
            System.out.println();
            System.out.println("plot: " + out);
            return 0;
        } catch (Exception e) {
            System.err.println("dopt compare: error: " + e.getMessage());
            return 2;
        }
    }

    private static double mean(double[][] m) {
        if (m == null || m.length == 0) return Double.NaN;
        double s = 0;
        int n = 0;
        for (double[] row : m) for (double v : row) { s += v; n++; }
        return s / n;
    }
}
