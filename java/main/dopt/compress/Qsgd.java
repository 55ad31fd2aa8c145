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
        int bitsPerLevel = 32 - Integer.numberOfLeadingZeros(levels);
        return 4L + ((long) n * (1 + bitsPerLevel) + 7) / 8;
    }

    private int bitsPerEntry() { return 1 + (32 - Integer.numberOfLeadingZeros(levels)); }

    /** The norm, then per entry a sign bit and the level, packed little-endian into bytes. */
    @Override
    public void encode(float[] compressed, int n, java.nio.ByteBuffer out) {
        // the norm cannot be read back from the quantised values, so compress() kept it
        out.putFloat(lastNorm);
        int w = bitsPerEntry();
        long acc = 0;
        int filled = 0;
        for (int i = 0; i < n; i++) {
            int level = lastNorm == 0 ? 0 : Math.round(Math.abs(compressed[i]) * levels / lastNorm);
            long code = ((long) level << 1) | (compressed[i] < 0 ? 1 : 0);
            acc |= code << filled;
            filled += w;
            while (filled >= 8) {
                out.put((byte) acc);
                acc >>>= 8;
                filled -= 8;
            }
        }
        if (filled > 0) out.put((byte) acc);
    }

    @Override
    public void decodeAdd(java.nio.ByteBuffer in, int n, float[] acc, float weight) {
        float norm = in.getFloat();
        int w = bitsPerEntry();
        long buf = 0, mask = (1L << w) - 1;
        int have = 0;
        for (int i = 0; i < n; i++) {
            while (have < w) {
                buf |= (long) (in.get() & 0xFF) << have;
                have += 8;
            }
            long code = buf & mask;
            buf >>>= w;
            have -= w;
            float v = norm * (code >>> 1) / levels;
            acc[i] += weight * ((code & 1) != 0 ? -v : v);
        }
    }

    @Override public double alpha(int n) { return Double.NaN; }
    @Override public double omega(int n) { return Math.min((double) n / ((double) levels * levels), Math.sqrt(n) / levels); }
    @Override public String name() { return "qsgd(s=" + levels + ")"; }
}
