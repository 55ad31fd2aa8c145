package dopt.compress;

import dopt.random.Rng;

/**
 * Keeps k coordinates chosen uniformly without replacement, scaled by d/k: unbiased with
 * ω = d/k − 1. Wire: k float32 values plus an 8-byte seed (the receiver regenerates the indices).
 */
public final class RandK implements Compressor {
    private final double fraction;
    private int[] idx = new int[0];

    public RandK(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("rand-k fraction must be in (0, 1]: " + fraction);
        this.fraction = fraction;
    }

    int k(int n) { return Math.max(1, (int) Math.round(fraction * n)); }

    @Override
    public long compress(float[] x, float[] out, int n, Rng rng) {
        int k = k(n);
        if (idx.length < n) idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        java.util.Arrays.fill(out, 0, n, 0f);
        float scale = (float) n / k;
        // partial Fisher–Yates: the first k positions are a uniform k-subset
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            out[idx[i]] = x[idx[i]] * scale;
        }
        return 4L * k + 8;
    }

    @Override public double alpha(int n) { return Double.NaN; }
    @Override public double omega(int n) { return (double) n / k(n) - 1; }
    @Override public String name() { return "randk(" + fraction * 100 + "%)"; }
}
