package dopt.experiments;

/**
 * Loss curves of one configuration over many seeds, {@code loss[seed][checkpoint]}, with the
 * summaries the heavy-tail experiments report: the median final loss (used to pick step sizes),
 * the 95th percentile final loss (the high-probability measure of Chezhegov et al. 2024 and
 * Puchkin et al. 2024), and per-checkpoint quantile curves. A diverged run (NaN or ∞) counts as +∞,
 * so it ranks last in every quantile instead of poisoning it.
 */
public final class SeedLosses {
    private final String config;
    private final double[][] loss;

    public SeedLosses(String config, int seeds, int checkpoints) {
        this.config = config;
        this.loss = new double[seeds][checkpoints];
    }

    public String config() { return config; }

    public void set(int seed, int checkpoint, double value) {
        loss[seed][checkpoint] = Double.isNaN(value) ? Double.POSITIVE_INFINITY : value;
    }

    public int seeds() { return loss.length; }

    /** The losses of seed {@code seed} at every checkpoint (a copy; +∞ where it diverged). */
    public double[] curve(int seed) { return loss[seed].clone(); }

    /** The q-quantile over seeds of the loss at each checkpoint. */
    public double[] quantileCurve(double q) {
        int c = loss[0].length;
        double[] out = new double[c], col = new double[loss.length];
        for (int k = 0; k < c; k++) {
            for (int s = 0; s < loss.length; s++) col[s] = loss[s][k];
            out[k] = quantile(col, q);
        }
        return out;
    }

    /** The q-quantile over seeds of the final loss. */
    public double finalQuantile(double q) {
        double[] col = new double[loss.length];
        for (int s = 0; s < loss.length; s++) col[s] = loss[s][loss[s].length - 1];
        return quantile(col, q);
    }

    /** How many seeds ended non-finite. */
    public int diverged() {
        int n = 0;
        for (double[] l : loss) if (!Double.isFinite(l[l.length - 1])) n++;
        return n;
    }

    // Stats.quantile interpolates, which turns ∞ − ∞ into NaN; this keeps +∞ as +∞
    private static double quantile(double[] v, double q) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        if (s[hi] == Double.POSITIVE_INFINITY) return lo == hi || pos == lo ? s[lo] : Double.POSITIVE_INFINITY;
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /**
     * Writes every configuration of a tuning grid, one CSV row each (label, configuration, median and
     * 95th percentile of the final loss, diverged seeds), so that a report can show where the pick
     * lies in its grid; appends to {@code csv} after a header if the file is new.
     */
    public static void appendGrid(java.nio.file.Path csv, String label, java.util.List<SeedLosses> grid) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        if (!java.nio.file.Files.exists(csv)) sb.append("setting,configuration,median final,95th percentile final,diverged\n");
        for (SeedLosses c : grid)
            sb.append(label).append(',').append(c.config()).append(',').append(Report.fmt(c.finalQuantile(0.5))).append(',')
                    .append(Report.fmt(c.finalQuantile(0.95))).append(',').append(c.diverged()).append('/').append(c.seeds()).append('\n');
        java.nio.file.Files.writeString(csv, sb, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /** The configuration with the lowest median final loss (ties: the first), as the papers tune. */
    public static SeedLosses bestByMedian(java.util.List<SeedLosses> grid) {
        SeedLosses best = null;
        for (SeedLosses c : grid)
            if (best == null || c.finalQuantile(0.5) < best.finalQuantile(0.5)) best = c;
        return best;
    }
}
