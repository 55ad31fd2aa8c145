package dopt.compress;

import dopt.random.Rng;

/**
 * Keeps k coordinates chosen uniformly without replacement, scaled by d/k: unbiased with
 * ω = d/k − 1. Wire: k float32 values plus an 8-byte seed (the receiver regenerates the indices).
 */
public final class RandK implements Compressor {
    private final double fraction;
    private int[] idx = new int[0];
    private long lastSeed;

    public RandK(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("rand-k fraction must be in (0, 1]: " + fraction);
        this.fraction = fraction;
    }

    int k(int n) { return Math.max(1, (int) Math.round(fraction * n)); }

    /** Indices come from a fresh seed drawn from {@code rng}, so the message is the seed and k values. */
    @Override
    public long compress(float[] x, float[] out, int n, Rng rng) {
        lastSeed = rng.nextLong();
        int k = choose(n, lastSeed);
        java.util.Arrays.fill(out, 0, n, 0f);
        float scale = (float) n / k;
        for (int i = 0; i < k; i++) out[idx[i]] = x[idx[i]] * scale;
        return 4L * k + 8;
    }

    /** Partial Fisher–Yates from {@code seed}: idx[0, k) is a uniform k-subset. */
    private int choose(int n, long seed) {
        int k = k(n);
        if (idx.length < n) idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Rng r = new Rng(seed);
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return k;
    }

    @Override
    public void encode(float[] compressed, int n, java.nio.ByteBuffer out) {
        int k = choose(n, lastSeed);
        out.putLong(lastSeed);
        for (int i = 0; i < k; i++) out.putFloat(compressed[idx[i]]);
    }

    /**
     * Checks the length (the seed plus exactly k values) before it adds; the indices come from the
     * seed, so every seed gives k distinct indices in range. Values are not checked (see {@link TopK#decodeAdd}).
     */
    @Override
    public void decodeAdd(java.nio.ByteBuffer in, int n, float[] acc, float weight) {
        WireCheck.length(in, wireBytes(n), this, n);
        int k = choose(n, in.getLong());
        for (int i = 0; i < k; i++) acc[idx[i]] += weight * in.getFloat();
    }

    @Override public long wireBytes(int n) { return 4L * k(n) + 8; }
    @Override public double alpha(int n) { return Double.NaN; }
    @Override public double omega(int n) { return (double) n / k(n) - 1; }
    @Override public String name() { return "randk(" + fraction * 100 + "%)"; }
}
