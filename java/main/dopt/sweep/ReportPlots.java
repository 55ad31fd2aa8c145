package dopt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The sweep's plots (XChart PNGs): final loss against every numeric axis (a line per combination
 * of the other axes), final loss against bytes sent and against optimizer state, time per step
 * split into compute, communication and the rest, and every point's loss curve. Points without a result are named in
 * the titles, so a plot never looks complete when it is not.
 */
final class ReportPlots {
    private static final int MAX_SERIES = 12;

    private ReportPlots() { }

    static List<Path> write(SweepReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        List<PointOutcome> ok = report.outcomes().stream().filter(o -> o.status() == PointOutcome.Status.OK && !Double.isNaN(o.finalLoss())).toList();
        String absent = absent(report.outcomes(), ok);
        for (String axis : report.axes()) {
            if (!numeric(ok, axis)) continue;
            files.add(save(lossVsAxis(report, ok, axis, absent), dir.resolve("loss-vs-" + fileName(axis) + ".png")));
        }
        List<PointOutcome> withBytes = ok.stream().filter(o -> !Double.isNaN(o.bytesSent())).toList();
        if (!withBytes.isEmpty()) files.add(save(lossVsBytes(withBytes, absent), dir.resolve("loss-vs-bytes.png")));
        List<PointOutcome> withState = ok.stream().filter(o -> !Double.isNaN(o.optimizerStateBytes())).toList();
        if (!withState.isEmpty()) files.add(save(lossVsOptimizerState(withState, absent), dir.resolve("loss-vs-optimizer-state.png")));
        List<PointOutcome> timed = ok.stream().filter(o -> !Double.isNaN(o.msPerStep())).toList();
        if (!timed.isEmpty()) files.add(save(timePerStep(timed, absent), dir.resolve("time-per-step.png")));
        List<PointOutcome> curves = report.outcomes().stream().filter(o -> o.lossCurve().length > 0).toList();
        if (!curves.isEmpty()) files.add(save(lossCurves(curves), dir.resolve("loss-curves.png")));
        return files;
    }

    /** " (not shown: p002 failed, p003 missing)" or "". */
    private static String absent(List<PointOutcome> all, List<PointOutcome> shown) {
        List<String> names = all.stream().filter(o -> !shown.contains(o)).map(o -> o.id() + " " + o.status().label()).toList();
        if (names.isEmpty()) return "";
        String list = names.size() <= 4 ? String.join(", ", names) : String.join(", ", names.subList(0, 4)) + " and " + (names.size() - 4) + " more";
        return " (not shown: " + list + ")";
    }

    private static boolean numeric(List<PointOutcome> ok, String axis) {
        if (ok.isEmpty()) return false;
        for (PointOutcome o : ok) {
            JsonNode v = o.values().get(axis);
            if (v == null || !v.isNumber()) return false;
        }
        return ok.stream().map(o -> o.values().get(axis).asDouble()).distinct().count() > 1;
    }

    private static XYChart lossVsAxis(SweepReport report, List<PointOutcome> ok, String axis, String absent) {
        XYChart chart = new XYChartBuilder().width(900).height(550).title("final train loss vs " + axis + absent)
                .xAxisTitle(axis).yAxisTitle("final train loss").build();
        // one line per combination of the other axes (e.g. per seed), unless there are too many
        Map<String, List<PointOutcome>> groups = new LinkedHashMap<>();
        for (PointOutcome o : ok) {
            String key = report.axes().stream().filter(a -> !a.equals(axis))
                    .map(a -> a + "=" + SweepReport.value(o, a)).collect(Collectors.joining(", "));
            groups.computeIfAbsent(key.isEmpty() ? "points" : key, k -> new ArrayList<>()).add(o);
        }
        if (groups.size() > MAX_SERIES) groups = Map.of("points", ok);
        double[] xs = ok.stream().mapToDouble(o -> o.values().get(axis).asDouble()).toArray();
        chart.getStyler().setXAxisLogarithmic(positiveAndWide(xs));
        chart.getStyler().setYAxisLogarithmic(positiveAndWide(ok.stream().mapToDouble(PointOutcome::finalLoss).toArray()));
        for (Map.Entry<String, List<PointOutcome>> g : groups.entrySet()) {
            List<PointOutcome> pts = new ArrayList<>(g.getValue());
            pts.sort((a, b) -> Double.compare(a.values().get(axis).asDouble(), b.values().get(axis).asDouble()));
            XYSeries s = chart.addSeries(g.getKey(), pts.stream().mapToDouble(o -> o.values().get(axis).asDouble()).toArray(),
                    pts.stream().mapToDouble(PointOutcome::finalLoss).toArray());
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    static XYChart lossVsBytes(List<PointOutcome> ok, String absent) {
        return lossVsBytes(ok, PointOutcome::bytesSent, "final train loss vs bytes on the wire" + absent, "bytes sent by all ranks");
    }

    static XYChart lossVsOptimizerState(List<PointOutcome> ok, String absent) {
        return lossVsBytes(ok, PointOutcome::optimizerStateBytes, "final train loss vs optimizer state" + absent,
                "optimizer state per rank");
    }

    /**
     * Final loss against a byte count, one marker per point. The axis is in the binary unit of the
     * largest count (B, KiB, MiB, ...), so that its ticks fall on round numbers of that unit; linear,
     * because XChart places the ticks of a logarithmic axis without the label function.
     */
    private static XYChart lossVsBytes(List<PointOutcome> ok, ToDoubleFunction<PointOutcome> bytes, String title, String xTitle) {
        ByteUnit unit = ByteUnit.of(ok.stream().mapToDouble(bytes).max().orElse(0));
        XYChart chart = new XYChartBuilder().width(900).height(550).title(title).xAxisTitle(xTitle + " (" + unit.name() + ")")
                .yAxisTitle("final train loss").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(unit::label);
        double[] xs = ok.stream().mapToDouble(o -> bytes.applyAsDouble(o) / unit.bytes()).toArray();
        if (ok.size() <= MAX_SERIES) {
            for (int i = 0; i < ok.size(); i++)
                chart.addSeries(ok.get(i).id() + " " + Point.describe(ok.get(i).values()), new double[] {xs[i]}, new double[] {ok.get(i).finalLoss()});
        } else {
            chart.addSeries("points", xs, ok.stream().mapToDouble(PointOutcome::finalLoss).toArray());
        }
        return chart;
    }

    /** A binary unit of bytes and how its axis ticks read ("1.5 MiB"). */
    record ByteUnit(String name, double bytes) {
        private static final String[] NAMES = {"B", "KiB", "MiB", "GiB", "TiB"};

        /** The largest unit not above {@code max} bytes. */
        static ByteUnit of(double max) {
            int i = 0;
            while (i < NAMES.length - 1 && max >= Math.pow(1024, i + 1)) i++;
            return new ByteUnit(NAMES[i], Math.pow(1024, i));
        }

        String label(double value) {
            return new DecimalFormat("0.##", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(value) + " " + name;
        }
    }

    /**
     * Milliseconds per step, stacked. Communication is whatever each point's exchange does (an
     * allreduce, a compressor's messages, a model average), so the exchange names the bars when
     * the points differ in it, and the series when they share one.
     */
    static CategoryChart timePerStep(List<PointOutcome> ok, String absent) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(550).title("time per step" + absent)
                .xAxisTitle("point").yAxisTitle("ms per step").build();
        chart.getStyler().setStacked(true);
        List<String> exchanges = ok.stream().map(o -> o.exchange() == null ? "exchange unknown" : o.exchange()).distinct().toList();
        boolean one = exchanges.size() == 1;
        List<String> ids = ok.stream().map(o -> one ? o.id() : o.id() + " (" + (o.exchange() == null ? "?" : o.exchange()) + ")").toList();
        List<Double> compute = new ArrayList<>(), comm = new ArrayList<>(), rest = new ArrayList<>();
        for (PointOutcome o : ok) {
            double c = Double.isNaN(o.computeMs()) ? 0 : o.computeMs(), m = Double.isNaN(o.commMs()) ? 0 : o.commMs();
            compute.add(c);
            comm.add(m);
            rest.add(Math.max(0, o.msPerStep() - c - m));
        }
        chart.addSeries("forward + backward", ids, compute);
        chart.addSeries(one ? "communication (" + exchanges.get(0) + ")" : "communication", ids, comm);
        chart.addSeries("rest (optimizer, data, checkpoints)", ids, rest);
        return chart;
    }

    private static XYChart lossCurves(List<PointOutcome> points) {
        XYChart chart = new XYChartBuilder().width(900).height(550).title("global training loss per step")
                .xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setYAxisLogarithmic(positiveAndWide(points.stream()
                .flatMapToDouble(o -> IntStream.range(0, o.lossCurve().length).mapToDouble(i -> o.lossCurve()[i])).toArray()));
        for (PointOutcome o : points.size() > MAX_SERIES ? points.subList(0, MAX_SERIES) : points) {
            float[] c = o.lossCurve();
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (int i = 0; i < c.length; i++) {
                if (!Float.isFinite(c[i])) continue;
                x.add(i + 1.0);
                y.add((double) c[i]);
            }
            if (x.isEmpty()) continue;
            String label = o.id() + (o.status() == PointOutcome.Status.OK ? "" : " (" + o.status().label() + ")");
            // a curve of a point that failed early may be a single step: a marker keeps it visible
            chart.addSeries(label, x, y).setMarker(x.size() <= 3 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return chart;
    }

    /** Log scale pays off for positive values spanning 50x or more (learning rates, diverging losses). */
    private static boolean positiveAndWide(double[] v) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double d : v) {
            if (Double.isNaN(d)) continue;
            if (!(d > 0) || Double.isInfinite(d)) return false;
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
        }
        return v.length > 1 && hi / lo >= 50;
    }

    static String fileName(String axis) { return axis.replaceAll("[^A-Za-z0-9._-]", "_"); }

    static Path save(Chart<?, ?> chart, Path png) throws IOException {
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return png;
    }
}
