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

    /**
     * Label-group sharding, for federated work where some clients share a target's label distribution
     * and others do not (the MeritFed experiments, Tupitsa et al. 2024): group g holds the samples whose
     * label is in {@code groupLabels[g]}, shuffled by a generator derived from {@code seed} and g and cut
     * into {@code shards[g]} equal contiguous parts (the remainder dropped, as iid does). Parts are
     * numbered group after group: the first group's are 0 .. shards[0] − 1. Returns {@code part}'s
     * sample indices in increasing order. Groups must not share a label (a sample would have two
     * owners) and the parts must number exactly {@code parts}.
     */
    public static int[] byLabelGroups(int[] labels, int[][] groupLabels, int[] shards, int parts, int part, long seed) {
        if (groupLabels.length != shards.length)
            throw new IllegalArgumentException(groupLabels.length + " label groups but " + shards.length + " shard counts");
        int total = 0;
        for (int s : shards) {
            if (s < 1) throw new IllegalArgumentException("a label group needs at least one shard, got " + s);
            total += s;
        }
        if (total != parts) throw new IllegalArgumentException("the label groups' shards add up to " + total + ", not " + parts);
        if (part < 0 || part >= parts) throw new IllegalArgumentException("part " + part + " outside 0.." + (parts - 1));
        java.util.Map<Integer, Integer> groupOf = new java.util.HashMap<>();
        for (int g = 0; g < groupLabels.length; g++)
            for (int label : groupLabels[g])
                if (groupOf.put(label, g) != null) throw new IllegalArgumentException("label " + label + " is in two label groups");
        int g = 0, first = 0;
        while (part >= first + shards[g]) first += shards[g++];
        int count = 0;
        for (int y : labels) if (Integer.valueOf(g).equals(groupOf.get(y))) count++;
        int[] members = new int[count];
        int k = 0;
        for (int i = 0; i < labels.length; i++) if (Integer.valueOf(g).equals(groupOf.get(labels[i]))) members[k++] = i;
        Rng.derive(seed, 0x5EED, 3, g).shuffle(members);
        int per = count / shards[g], j = part - first;
        int[] mine = Arrays.copyOfRange(members, j * per, (j + 1) * per);
        Arrays.sort(mine);
        return mine;
    }

    /**
     * "By source" sharding for federated work: every sample of one source (e.g. a speaker's decade, an
     * author, a device) goes to the same rank. Balancing is greedy and deterministic (no seed):
     * sources are taken in decreasing order of their sample count (ties: smaller source id first) and
     * each goes to the rank with the fewest samples so far (ties: lowest rank). With as many ranks as
     * sources each rank gets one source, the largest going to rank 0. Returns {@code rank}'s sample
     * indices in increasing order; fewer sources than ranks is an error (a rank would have no data).
     */
    public static int[] shardBySource(int[] sourceOfSample, int ranks, int rank) {
        long[] ones = new long[sourceOfSample.length];
        Arrays.fill(ones, 1);
        return shardBySource(sourceOfSample, ones, ranks, rank);
    }

    /**
     * {@link #shardBySource(int[], int, int)} balancing the total {@code weightOfSample} instead of the
     * sample count (e.g. a document's length in tokens, so that ranks get similar amounts of text).
     */
    public static int[] shardBySource(int[] sourceOfSample, long[] weightOfSample, int ranks, int rank) {
        int[] rankOfSource = assignSources(sourceOfSample, weightOfSample, ranks, rank);
        int[] distinct = distinctSorted(sourceOfSample);
        int count = 0;
        for (int s : sourceOfSample) if (rankOfSource[Arrays.binarySearch(distinct, s)] == rank) count++;
        int[] mine = new int[count];
        int k = 0;
        for (int i = 0; i < sourceOfSample.length; i++)
            if (rankOfSource[Arrays.binarySearch(distinct, sourceOfSample[i])] == rank) mine[k++] = i;
        return mine;
    }

    /** The sources (in increasing order) that {@link #shardBySource(int[], long[], int, int)} gives {@code rank}. */
    public static int[] sourcesOf(int[] sourceOfSample, long[] weightOfSample, int ranks, int rank) {
        int[] rankOfSource = assignSources(sourceOfSample, weightOfSample, ranks, rank);
        int[] distinct = distinctSorted(sourceOfSample);
        int count = 0;
        for (int r : rankOfSource) if (r == rank) count++;
        int[] out = new int[count];
        int k = 0;
        for (int j = 0; j < distinct.length; j++) if (rankOfSource[j] == rank) out[k++] = distinct[j];
        return out;
    }

    /** The rank of each distinct source, indexed like {@link #distinctSorted}. */
    private static int[] assignSources(int[] sourceOfSample, long[] weightOfSample, int ranks, int rank) {
        if (rank < 0 || rank >= ranks) throw new IllegalArgumentException("rank " + rank + " outside 0.." + (ranks - 1));
        if (weightOfSample.length != sourceOfSample.length)
            throw new IllegalArgumentException(weightOfSample.length + " weights for " + sourceOfSample.length + " samples");
        int[] distinct = distinctSorted(sourceOfSample);
        if (distinct.length < ranks)
            throw new IllegalArgumentException("by-source sharding: " + distinct.length + " sources cannot supply " + ranks + " ranks");
        long[] weight = new long[distinct.length];
        for (int i = 0; i < sourceOfSample.length; i++) {
            if (weightOfSample[i] < 0) throw new IllegalArgumentException("negative weight of sample " + i);
            weight[Arrays.binarySearch(distinct, sourceOfSample[i])] += weightOfSample[i];
        }
        Integer[] order = new Integer[distinct.length];
        for (int j = 0; j < order.length; j++) order[j] = j;
        Arrays.sort(order, (a, b) -> weight[a] != weight[b] ? Long.compare(weight[b], weight[a]) : Integer.compare(a, b));
        long[] load = new long[ranks];
        int[] rankOf = new int[distinct.length];
        for (int j : order) {
            int best = 0;
            for (int r = 1; r < ranks; r++) if (load[r] < load[best]) best = r;
            rankOf[j] = best;
            load[best] += weight[j];
        }
        return rankOf;
    }

    private static int[] distinctSorted(int[] values) {
        int[] s = values.clone();
        Arrays.sort(s);
        int m = 0;
        for (int i = 0; i < s.length; i++) if (i == 0 || s[i] != s[i - 1]) s[m++] = s[i];
        return Arrays.copyOf(s, m);
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static int[][] byClass(int[] labels, int classes) {
        int[] counts = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes)
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " outside 0.." + (classes - 1));
            counts[labels[i]]++;
        }
        int[][] out = new int[classes][];
        for (int c = 0; c < classes; c++) out[c] = new int[counts[c]];
        int[] fill = new int[classes];
        for (int i = 0; i < labels.length; i++) out[labels[i]][fill[labels[i]]++] = i;
        return out;
    }
}
