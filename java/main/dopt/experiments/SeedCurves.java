package dopt.experiments;

/**
 * Held-out accuracy and loss of one configuration (method, learning rate) at the same checkpoints
 * for every seed, {@code [seed][checkpoint]}, with the summaries over seeds the classification
 * experiments report. A diverged run (non-finite loss) ranks last when learning rates are picked.
 */
final class SeedCurves {
    private final String method;
    private final double lr;
    private final double[][] accuracy, loss;

    SeedCurves(String method, double lr, int seeds, int checkpoints) {
        this.method = method;
        this.lr = lr;
        this.accuracy = new double[seeds][checkpoints];
        this.loss = new double[seeds][checkpoints];
    }

    String method() { return method; }
    double lr() { return lr; }
    int seeds() { return loss.length; }

    void set(int seed, int checkpoint, double acc, double l) {
        accuracy[seed][checkpoint] = acc;
        loss[seed][checkpoint] = l;
    }

    double[] finalAccuracies() { return lastColumn(accuracy); }
    double[] finalLosses() { return lastColumn(loss); }

    /** The mean final loss over seeds; +∞ if any seed diverged, so that such a learning rate is never picked. */
    double selectionLoss() {
        double[] l = finalLosses();
        for (double v : l) if (!Double.isFinite(v)) return Double.POSITIVE_INFINITY;
        return Stats.mean(l);
    }

    double[] meanAccuracyCurve() {
        int c = accuracy[0].length;
        double[] out = new double[c];
        for (int k = 0; k < c; k++) {
            double s = 0;
            for (double[] a : accuracy) s += a[k];
            out[k] = s / accuracy.length;
        }
        return out;
    }

    /** The configuration with the lowest {@link #selectionLoss} (ties: the first). */
    static SeedCurves best(java.util.List<SeedCurves> grid) {
        SeedCurves best = grid.get(0);
        for (SeedCurves c : grid) if (c.selectionLoss() < best.selectionLoss()) best = c;
        return best;
    }

    private static double[] lastColumn(double[][] m) {
        double[] out = new double[m.length];
        for (int s = 0; s < m.length; s++) out[s] = m[s][m[s].length - 1];
        return out;
    }
}
