package dopt.experiments;

import java.util.Arrays;

/** Summary statistics over seeds (mean, standard deviation, quantiles by linear interpolation). */
public final class Stats {
    private Stats() { }

    public static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }

    /** Sample standard deviation (n − 1); 0 for a single value. */
    public static double std(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double d : v) s += (d - m) * (d - m);
        return Math.sqrt(s / (v.length - 1));
    }

    /** The q-quantile, q in [0, 1], interpolating linearly between order statistics (numpy's default). */
    public static double quantile(double[] v, double q) {
        if (v.length == 0) throw new IllegalArgumentException("quantile of no values");
        if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("quantile level " + q + " not in [0, 1]");
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    public static double median(double[] v) { return quantile(v, 0.5); }
}
