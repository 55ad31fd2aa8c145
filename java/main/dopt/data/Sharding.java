package dopt.data;

import dopt.random.Rng;
import java.util.Arrays;

/**
 * Splits a training set among ranks. Every rank computes every shard from the same seed, so no
 * coordination is needed and each rank takes its own.
 */
public final class Sharding {
    private Sharding() { }

    /**
     * The sample indices of {@code rank}'s shard. "iid": a seeded permutation cut into equal
     * contiguous parts (the remainder n mod ranks is dropped so every rank has the same count).
     * "dirichlet": label skew as in Hsu, Qi and Brown 2019 ("Measuring the effects of non-identical
     * data distribution", arXiv:1909.06335): for each class, proportions over ranks are drawn from
     * Dirichlet(α) and the class's shuffled samples are cut accordingly; small α = strong skew.
     */
    public static int[] shard(int[] labels, int classes, int ranks, int rank, String kind, double alpha, long seed) {
        if (rank < 0 || rank >= ranks) throw new IllegalArgumentException("rank " + rank + " outside 0.." + (ranks - 1));
        int n = labels.length;
        switch (kind) {
            case "iid" -> {
                int[] perm = identity(n);
                Rng.derive(seed, 0x5EED, 1).shuffle(perm);
                int per = n / ranks;
                return Arrays.copyOfRange(perm, rank * per, (rank + 1) * per);
            }
            case "dirichlet" -> {
                if (!(alpha > 0)) throw new IllegalArgumentException("dirichlet alpha must be positive: " + alpha);
                Rng rng = Rng.derive(seed, 0x5EED, 2);
                int[] count = new int[ranks];
                int[][] byClass = byClass(labels, classes);
                int[][] cuts = new int[classes][];
                for (int c = 0; c < classes; c++) {
                    rng.shuffle(byClass[c]);
                    double[] p = new double[ranks];
                    double sum = 0;
                    for (int r = 0; r < ranks; r++) sum += p[r] = rng.nextGamma(alpha);
                    cuts[c] = new int[ranks + 1];
                    double acc = 0;
                    for (int r = 0; r < ranks; r++) {
                        acc += p[r] / sum;
                        cuts[c][r + 1] = r == ranks - 1 ? byClass[c].length : (int) Math.round(acc * byClass[c].length);
                    }
                    for (int r = 0; r < ranks; r++) count[r] += cuts[c][r + 1] - cuts[c][r];
                }
                int[] mine = new int[count[rank]];
                int k = 0;
                for (int c = 0; c < classes; c++)
                    for (int i = cuts[c][rank]; i < cuts[c][rank + 1]; i++) mine[k++] = byClass[c][i];
                Arrays.sort(mine);
                return mine;
            }
            default -> throw new IllegalArgumentException("unknown sharding '" + kind + "'; allowed: iid, dirichlet");
        }
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static int[][] byClass(int[] labels, int classes) {
        int[] counts = new int[classes];
        for (int y : labels) counts[y]++;
        int[][] out = new int[classes][];
        for (int c = 0; c < classes; c++) out[c] = new int[counts[c]];
        int[] fill = new int[classes];
        for (int i = 0; i < labels.length; i++) out[labels[i]][fill[labels[i]]++] = i;
        return out;
    }
}
