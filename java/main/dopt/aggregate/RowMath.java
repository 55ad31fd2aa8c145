package dopt.aggregate;

/** The few loops the rules share: pairwise distances, a stable order by key, a mean of chosen rows. */
final class RowMath {
    private RowMath() { }

    /** ‖a − b‖² summed in double, coordinate 0 first. */
    static double squaredDistance(float[] a, float[] b, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            double t = (double) a[j] - b[j];
            s += t * t;
        }
        return s;
    }

    /** ‖a − v‖ for a float row and a double centre. */
    static double distance(float[] a, double[] v, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            double t = a[j] - v[j];
            s += t * t;
        }
        return Math.sqrt(s);
    }

    /** {@code dist[i][j] = ‖rows[i] − rows[j]‖²} for i, j &lt; count; the diagonal is 0 and the matrix symmetric. */
    static void pairwiseSquaredDistances(float[][] rows, int count, int d, double[][] dist) {
        for (int i = 0; i < count; i++) {
            dist[i][i] = 0;
            for (int j = i + 1; j < count; j++) {
                double s = squaredDistance(rows[i], rows[j], d);
                dist[i][j] = s;
                dist[j][i] = s;
            }
        }
    }

    /**
     * Fills {@code order[0..count)} with 0..count−1 sorted by {@code key}, equal keys keeping the
     * lower index first (insertion sort: stable, allocation-free; the row counts are small).
     */
    static void stableOrder(double[] key, int count, int[] order) {
        for (int i = 0; i < count; i++) {
            int k = i;
            double v = key[i];
            while (k > 0 && key[order[k - 1]] > v) {
                order[k] = order[k - 1];
                k--;
            }
            order[k] = i;
        }
    }

    /** {@code out = mean of rows[pick[from..to)]}, summed in double in the order of {@code pick}. */
    static void meanOf(float[][] rows, int[] pick, int from, int to, int d, double[] acc, float[] out) {
        java.util.Arrays.fill(acc, 0, d, 0.0);
        for (int k = from; k < to; k++) {
            float[] r = rows[pick[k]];
            for (int j = 0; j < d; j++) acc[j] += r[j];
        }
        int m = to - from;
        for (int j = 0; j < d; j++) out[j] = (float) (acc[j] / m);
    }

    /** {@code out = mean of rows[from..to)}. */
    static void meanOfRange(float[][] rows, int from, int to, int d, double[] acc, float[] out) {
        java.util.Arrays.fill(acc, 0, d, 0.0);
        for (int i = from; i < to; i++) {
            float[] r = rows[i];
            for (int j = 0; j < d; j++) acc[j] += r[j];
        }
        int m = to - from;
        for (int j = 0; j < d; j++) out[j] = (float) (acc[j] / m);
    }

    static void checkShape(String what, int maxRows, int d) {
        if (maxRows < 1) throw new IllegalArgumentException(what + ": needs at least 1 row, got n = " + maxRows);
        if (d < 1) throw new IllegalArgumentException(what + ": needs a row length d >= 1, got " + d);
    }

    static void checkCount(String what, int count, int maxRows) {
        if (count < 1) throw new AggregationException(what + ": no rows to aggregate");
        if (count > maxRows) throw new IllegalArgumentException(what + ": " + count + " rows, more than the " + maxRows + " it was sized for");
    }
}
