package dopt.pipeline;

import java.util.List;

/** Where a sequential model of L layers is cut into k consecutive stages: the first layer of each stage. */
public final class StageCuts {
    private StageCuts() { }

    /**
     * The first layers of {@code stages} stages, {@code [0, c1, ..., c(k-1)]}, from the job's {@code
     * cuts} (the starts of stages 2..k), or when null balanced by parameter count: the contiguous split
     * whose largest stage holds the fewest parameters (the linear partition problem, solved exactly by
     * dynamic programming; among equal splits the last stage starts as early as it can, and so on back).
     */
    public static int[] starts(List<Integer> cuts, long[] layerParams, int stages) {
        if (stages < 1 || stages > layerParams.length)
            throw new IllegalArgumentException(stages + " stages for " + layerParams.length + " layers");
        int[] starts = new int[stages];
        if (cuts != null) {
            if (cuts.size() != stages - 1) throw new IllegalArgumentException(cuts + " are not the starts of stages 2.." + stages);
            for (int i = 1; i < stages; i++) starts[i] = cuts.get(i - 1);
            for (int i = 1; i < stages; i++)
                if (starts[i] <= starts[i - 1] || starts[i] >= layerParams.length)
                    throw new IllegalArgumentException("cuts " + cuts + " do not split " + layerParams.length + " layers into " + stages + " stages");
            return starts;
        }
        int n = layerParams.length;
        long[] prefix = new long[n + 1];
        for (int l = 0; l < n; l++) prefix[l + 1] = prefix[l] + layerParams[l];
        // best[s][e]: the smallest largest stage of layers [0, e) in s stages; from[s][e]: where the last of them starts
        long[][] best = new long[stages + 1][n + 1];
        int[][] from = new int[stages + 1][n + 1];
        for (long[] row : best) java.util.Arrays.fill(row, Long.MAX_VALUE);
        best[0][0] = 0;
        for (int s = 1; s <= stages; s++)
            for (int e = s; e <= n; e++)
                for (int b = s - 1; b < e; b++) {
                    if (best[s - 1][b] == Long.MAX_VALUE) continue;
                    long worst = Math.max(best[s - 1][b], prefix[e] - prefix[b]);
                    if (worst < best[s][e]) {
                        best[s][e] = worst;
                        from[s][e] = b;
                    }
                }
        for (int s = stages, e = n; s >= 1; s--) {
            starts[s - 1] = from[s][e];
            e = from[s][e];
        }
        return starts;
    }
}
