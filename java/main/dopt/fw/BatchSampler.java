package dopt.fw;

import dopt.random.Rng;

/**
 * Draws a mini-batch of distinct component indices, uniformly without replacement, by a partial
 * Fisher–Yates shuffle that is undone afterwards: the index array is the identity between calls,
 * so the draw depends on the RNG state alone (which the method's state holds) and costs O(b).
 */
final class BatchSampler {
    private final int[] perm, swaps;

    BatchSampler(int n) {
        perm = new int[n];
        swaps = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
    }

    /** Writes b distinct indices into {@code out[0..b)}. */
    void sample(Rng rng, int b, int[] out) {
        int n = perm.length;
        for (int k = 0; k < b; k++) {
            int j = k + rng.nextInt(n - k);
            swaps[k] = j;
            int t = perm[k]; perm[k] = perm[j]; perm[j] = t;
            out[k] = perm[k];
        }
        for (int k = b - 1; k >= 0; k--) {
            int j = swaps[k];
            int t = perm[k]; perm[k] = perm[j]; perm[j] = t;
        }
    }
}
