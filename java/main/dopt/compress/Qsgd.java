package dopt.compress;

import dopt.random.Rng;

/**
 * QSGD with s levels (Alistarh et al. 2017, Section 3.1): each coordinate becomes
 * ‖x‖₂·sign(xᵢ)·ξᵢ/s with ξᵢ ∈ {⌊s|xᵢ|/‖x‖⌋, ⌊·⌋+1} rounded at random so the result is unbiased;
 * ω = min(d/s², √d/s). Wire: the norm (float32) plus, per coordinate, a sign bit and
 * ⌈log₂(s+1)⌉ bits for the level (the paper's Elias coding would be shorter for small s; this is
 * the plain fixed-width encoding dopt sends).
 */
public final class Qsgd implements Compressor {
    private final int levels;

    public Qsgd(int levels) {
        if (levels < 1) throw new IllegalArgumentException("QSGD needs at least one level: " + levels);
        this.levels = levels;
    }

    @Override
    public long compress(float[] x, float[] out, int n, Rng rng) {
        double sq = 0;
        for (int i = 0; i < n; i++) sq += (double) x[i] * x[i];
        double norm = Math.sqrt(sq);
        if (norm == 0) {
            java.util.Arrays.fill(out, 0, n, 0f);
        } else {
            for (int i = 0; i < n; i++) {
                double r = Math.abs(x[i]) / norm * levels;
                double lower = Math.floor(r);
                double level = rng.nextDouble() < r - lower ? lower + 1 : lower;
                out[i] = (float) (Math.signum(x[i]) * norm * level / levels);
            }
        }
        int bitsPerLevel = 32 - Integer.numberOfLeadingZeros(levels);
        return 4L + ((long) n * (1 + bitsPerLevel) + 7) / 8;
    }

    @Override public double alpha(int n) { return Double.NaN; }
    @Override public double omega(int n) { return Math.min((double) n / ((double) levels * levels), Math.sqrt(n) / levels); }
    @Override public String name() { return "qsgd(s=" + levels + ")"; }
}
