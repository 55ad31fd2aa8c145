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
    private float lastNorm;

    public Qsgd(int levels) {
        if (levels < 1) throw new IllegalArgumentException("QSGD needs at least one level: " + levels);
        this.levels = levels;
    }

    @Override
    public long compress(float[] x, float[] out, int n, Rng rng) {
        double sq = 0;
        for (int i = 0; i < n; i++) sq += (double) x[i] * x[i];
        double norm = Math.sqrt(sq);
        lastNorm = (float) norm;
        if (norm == 0) {
            java.util.Arrays.fill(out, 0, n, 0f);
        } else {
            for (int i = 0; i < n; i++) {
                double r = Math.abs(x[i]) / norm * levels;
                double lower = Math.floor(r);
                long level = (long) (rng.nextDouble() < r - lower ? lower + 1 : lower);
                // the same float arithmetic as decodeAdd, so sender and receivers hold identical values
                float v = lastNorm * level / levels;
                out[i] = x[i] < 0 ? -v : v;
            }
        }
        return wireBytes(n);
    }

    /** The norm, then per entry a sign bit and the level ({@link SignLevelCodes}). */
    @Override
    public void encode(float[] compressed, int n, java.nio.ByteBuffer out) {
        // the norm cannot be read back from the quantised values, so compress() kept it
        out.putFloat(lastNorm);
        SignLevelCodes.write(out, compressed, n, levels,
                i -> lastNorm == 0 ? 0 : Math.round(Math.abs(compressed[i]) * levels / lastNorm));
    }

    /** Checks the length, the norm (finite, not negative) and every level code (at most s) before it adds. */
    @Override
    public void decodeAdd(java.nio.ByteBuffer in, int n, float[] acc, float weight) {
        WireCheck.length(in, wireBytes(n), this, n);
        WireCheck.scale(in.getFloat(in.position()), "norm", this);
        SignLevelCodes.check(in, in.position() + 4, n, levels, this);
        float norm = in.getFloat();
        SignLevelCodes.readAdd(in, n, levels, level -> norm * level / levels, acc, weight);
    }

    @Override public long wireBytes(int n) { return 4L + SignLevelCodes.bytes(n, levels); }
    @Override public double alpha(int n) { return Double.NaN; }
    @Override public double omega(int n) { return Math.min((double) n / ((double) levels * levels), Math.sqrt(n) / levels); }
    @Override public String name() { return "qsgd(s=" + levels + ")"; }
}
