package dopt.aggregate;

import java.util.Arrays;

/**
 * Centered clipping (Karimireddy, He, Jaggi, "Learning from history for Byzantine robust
 * optimization", ICML 2021; aggregation.md "centered_clipping"): from v₀, L times
 * v ← v + (1/n) Σ_i (x_i − v)·min(1, τ/‖x_i − v‖); a row equal to v adds 0.
 *
 * <p>v₀ is {@link #center()}: 0 at construction, and after every call the call's output, so that
 * in training each round starts from the previous round's aggregate, as E {@code clipping.py}
 * keeps its momentum. A replay sets it from the case's {@code /center}. Defaults τ = 10, L = 3
 * (E's experiments; L {@code centeredclip.py} also iterates 3 times).
 */
public final class CenteredClipping implements Aggregator {
    public static final double DEFAULT_TAU = 10;
    public static final int DEFAULT_L = 3;

    private final int maxRows, d, iterations;
    private final double tau;
    private final float[] center;
    private final double[] v, step;

    public CenteredClipping(int maxRows, int d, double tau, int iterations) {
        RowMath.checkShape("centered_clipping", maxRows, d);
        if (!(tau > 0)) throw new IllegalArgumentException("centered_clipping: tau must be > 0, got " + tau);
        if (iterations < 0) throw new IllegalArgumentException("centered_clipping: L must be >= 0, got " + iterations);
        this.maxRows = maxRows;
        this.d = d;
        this.tau = tau;
        this.iterations = iterations;
        this.center = new float[d];
        this.v = new double[d];
        this.step = new double[d];
    }

    @Override public String name() { return "centered_clipping"; }
    @Override public int maxRows() { return maxRows; }
    @Override public int dim() { return d; }

    /** The live start point v₀ of the next call (length d): write it to set v₀, register it to checkpoint it. */
    public float[] center() { return center; }

    @Override
    public void aggregate(float[][] rows, int count, float[] out) {
        RowMath.checkCount("centered_clipping", count, maxRows);
        for (int j = 0; j < d; j++) v[j] = center[j];
        for (int t = 0; t < iterations; t++) {
            Arrays.fill(step, 0.0);
            for (int i = 0; i < count; i++) {
                float[] r = rows[i];
                double norm = RowMath.distance(r, v, d);
                if (norm == 0) continue; // x_i = v: its clipped difference is the zero vector
                double scale = Math.min(1.0, tau / norm);
                for (int j = 0; j < d; j++) step[j] += (r[j] - v[j]) * scale;
            }
            for (int j = 0; j < d; j++) v[j] += step[j] / count;
        }
        for (int j = 0; j < d; j++) {
            out[j] = (float) v[j];
            center[j] = out[j];
        }
    }
}
