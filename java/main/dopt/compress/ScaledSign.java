package dopt.compress;

import dopt.random.Rng;

/**
 * (‖x‖₁/d)·sign(x) with sign(0) = +1 (Karimireddy et al. 2019, "Error feedback fixes SignSGD"): contractive with
 * α = ‖x‖₁²/(d‖x‖₂²) ≥ 1/d. Wire: one bit per coordinate plus a float32 scale.
 */
public final class ScaledSign implements Compressor {
    @Override
    public long compress(float[] x, float[] out, int n, Rng rng) {
        double l1 = 0;
        for (int i = 0; i < n; i++) l1 += Math.abs(x[i]);
        float s = (float) (l1 / n);
        // sign(0) = +1: the wire has one bit per entry, and the contraction bound does not need sign(0) = 0
        for (int i = 0; i < n; i++) out[i] = x[i] >= 0 ? s : -s;
        return wireBytes(n);
    }

    /** The scale, then one bit per coordinate (1 = non-negative). */
    @Override
    public void encode(float[] compressed, int n, java.nio.ByteBuffer out) {
        float scale = 0f;
        for (int i = 0; i < n && scale == 0f; i++) scale = Math.abs(compressed[i]);
        out.putFloat(scale);
        for (int b = 0; b < n; b += 8) {
            int bits = 0;
            for (int j = 0; j < 8 && b + j < n; j++) if (compressed[b + j] >= 0) bits |= 1 << j;
            out.put((byte) bits);
        }
    }

    /**
     * Checks the length, the scale (finite, not negative) and the unused bits of the last byte
     * (zero, as {@link #encode} leaves them) before it adds.
     */
    @Override
    public void decodeAdd(java.nio.ByteBuffer in, int n, float[] acc, float weight) {
        WireCheck.length(in, wireBytes(n), this, n);
        WireCheck.scale(in.getFloat(in.position()), "scale", this);
        int used = n % 8, last = in.get(in.limit() - 1) & 0xFF;
        if (used != 0 && last >>> used != 0)
            throw new MalformedMessageException(name() + ": the last byte sets bits beyond entry " + (n - 1));
        float s = in.getFloat() * weight;
        for (int b = 0; b < n; b += 8) {
            int bits = in.get() & 0xFF;
            for (int j = 0; j < 8 && b + j < n; j++) acc[b + j] += (bits >> j & 1) != 0 ? s : -s;
        }
    }

    @Override public long wireBytes(int n) { return (n + 7) / 8 + 4L; }

    /** The worst case over x (a single non-zero coordinate). */
    @Override public double alpha(int n) { return 1.0 / n; }
    @Override public double omega(int n) { return Double.NaN; }
    @Override public String name() { return "sign"; }
}
