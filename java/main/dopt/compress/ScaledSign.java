package dopt.compress;

import dopt.random.Rng;

/**
 * (‖x‖₁/d)·sign(x) (Karimireddy et al. 2019, "Error feedback fixes SignSGD"): contractive with
 * α = ‖x‖₁²/(d‖x‖₂²) ≥ 1/d. Wire: one bit per coordinate plus a float32 scale.
 */
public final class ScaledSign implements Compressor {
    @Override
    public long compress(float[] x, float[] out, int n, Rng rng) {
        double l1 = 0;
        for (int i = 0; i < n; i++) l1 += Math.abs(x[i]);
        float s = (float) (l1 / n);
        for (int i = 0; i < n; i++) out[i] = x[i] > 0 ? s : x[i] < 0 ? -s : 0f;
        return (n + 7) / 8 + 4L;
    }

    /** The worst case over x (a single non-zero coordinate). */
    @Override public double alpha(int n) { return 1.0 / n; }
    @Override public double omega(int n) { return Double.NaN; }
    @Override public String name() { return "sign"; }
}
