package dopt.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small helpers for hand cases: rows from literals, all-valid masks, closeness with a named coordinate. */
final class Rows {
    private Rows() { }

    static float[][] of(float[]... rows) { return rows; }

    static float[] row(double... v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (float) v[i];
        return r;
    }

    /** One-coordinate rows: column(0, 1, 3) is three rows of length 1. */
    static float[][] column(double... v) {
        float[][] r = new float[v.length][];
        for (int i = 0; i < v.length; i++) r[i] = row(v[i]);
        return r;
    }

    static boolean[] allValid(int n) {
        boolean[] v = new boolean[n];
        java.util.Arrays.fill(v, true);
        return v;
    }

    static float[] aggregate(Aggregator rule, float[][] rows) {
        float[] out = new float[rule.dim()];
        rule.aggregate(rows, rows.length, out);
        return out;
    }

    static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int j = 0; j < expected.length; j++) assertEquals(expected[j], actual[j], tol, "coordinate " + j);
    }
}
