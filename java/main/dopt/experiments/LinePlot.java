package dopt.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A line plot for a report (XChart PNG): named series of (x, y) points, optional log axes.
 * Non-finite or, on a log axis, non-positive points are dropped from a series rather than
 * breaking the chart; the caption of {@link Report#plot} should say when a run diverged.
 */
public final class LinePlot {
    private final XYChart chart;
    private final boolean logX, logY;

    public LinePlot(String title, String xLabel, String yLabel, boolean logX, boolean logY) {
        this.chart = new XYChartBuilder().width(900).height(520).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        this.logX = logX;
        this.logY = logY;
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setMarkerSize(5);
    }

    /** Adds a series; with {@code markers} every point is drawn as a circle (for sparse grids). */
    public LinePlot series(String name, double[] x, double[] y, boolean markers) {
        if (x.length != y.length) throw new IllegalArgumentException(name + ": " + x.length + " x values, " + y.length + " y values");
        int n = 0;
        for (int i = 0; i < x.length; i++) if (keep(x[i], logX) && keep(y[i], logY)) n++;
        if (n == 0) return this; // nothing drawable (e.g. a diverged run on a log axis)
        double[] xs = new double[n], ys = new double[n];
        for (int i = 0, j = 0; i < x.length; i++) {
            if (keep(x[i], logX) && keep(y[i], logY)) { xs[j] = x[i]; ys[j] = y[i]; j++; }
        }
        chart.addSeries(name, xs, ys).setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        return this;
    }

    public LinePlot series(String name, double[] x, double[] y) { return series(name, x, y, false); }

    private static boolean keep(double v, boolean log) { return Double.isFinite(v) && (!log || v > 0); }

    /** Writes the PNG atomically. */
    void save(Path png) throws IOException {
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
