package dopt.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes the loss curve (mean over ranks per step, and a moving average) as a PNG with XChart. */
final class LossPlot {
    private LossPlot() { }

    static void write(Path png, String title, float[][] globalLossByStepRank, double[] evalSteps, double[] evalLoss) throws IOException {
        int n = globalLossByStepRank.length;
        double[] x = new double[n], y = new double[n], smooth = new double[n];
        double ema = 0, decay = 1;
        for (int s = 0; s < n; s++) {
            x[s] = s + 1;
            y[s] = globalLossByStepRank[s][0];
            ema = 0.95 * ema + 0.05 * y[s];
            decay *= 0.95;
            smooth[s] = ema / (1 - decay); // bias-corrected, so the curve starts at the first loss
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setYAxisLogarithmic(allPositive(y));
        chart.addSeries("train loss (mean over ranks)", x, y).setMarker(SeriesMarkers.NONE);
        chart.addSeries("train loss, EMA 0.95", x, smooth).setMarker(SeriesMarkers.NONE);
        if (evalSteps.length > 0) chart.addSeries("test loss", evalSteps, evalLoss).setMarker(SeriesMarkers.CIRCLE);
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean allPositive(double[] v) {
        for (double d : v) if (!(d > 0)) return false;
        return v.length > 0;
    }
}
