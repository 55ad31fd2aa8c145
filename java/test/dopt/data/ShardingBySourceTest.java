package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardingBySourceTest {

    /** Checks that shards cover every sample once and that each source lives on one rank; returns the per-rank weights. */
    private static long[] check(int[] source, long[] weight, int ranks) {
        Map<Integer, Integer> rankOfSource = new HashMap<>();
        Set<Integer> seen = new HashSet<>();
        long[] load = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            int[] s = Sharding.shardBySource(source, weight, ranks, r);
            assertTrue(s.length > 0, "rank " + r + " has data");
            for (int k = 1; k < s.length; k++) assertTrue(s[k] > s[k - 1], "increasing indices");
            for (int i : s) {
                assertTrue(seen.add(i), "sample " + i + " on two ranks");
                Integer prev = rankOfSource.put(source[i], r);
                assertTrue(prev == null || prev == r, "source " + source[i] + " on ranks " + prev + " and " + r);
                load[r] += weight[i];
            }
            assertArrayEquals(s, Sharding.shardBySource(source, weight, ranks, r), "deterministic");
            int[] mine = Sharding.sourcesOf(source, weight, ranks, r);
            for (int i : s) assertTrue(java.util.Arrays.binarySearch(mine, source[i]) >= 0, "sourcesOf names the rank's sources");
        }
        assertEquals(source.length, seen.size(), "every sample is on some rank");
        return load;
    }

    @Test
    void everySourceStaysOnOneRankAndRanksAreBalancedGreedily() {
        // 7 sources with 50, 40, 30, 20, 10, 10, 5 samples, interleaved
        int[] sizes = {50, 40, 30, 20, 10, 10, 5};
        int n = 0;
        for (int z : sizes) n += z;
        int[] source = new int[n];
        int[] left = sizes.clone();
        for (int i = 0, s = 0; i < n; s = (s + 1) % sizes.length) if (left[s] > 0) { source[i++] = 100 + s * 3; left[s]--; }
        long[] ones = new long[n];
        java.util.Arrays.fill(ones, 1);
        long[] load = check(source, ones, 3);
        // greedy: 50→r0, 40→r1, 30→r2, 20→r2 (50), 10→r1 (50), 10→r0 (60), 5→r1 (55)
        assertArrayEquals(new long[] {60, 55, 50}, load);
        assertArrayEquals(Sharding.shardBySource(source, 3, 1), Sharding.shardBySource(source, ones, 3, 1), "unweighted = weight 1 each");
        assertArrayEquals(new int[] {103, 112, 118}, Sharding.sourcesOf(source, ones, 3, 1));
    }

    @Test
    void asManyRanksAsSourcesGivesOneSourceEach() {
        int[] source = {1990, 1790, 1800, 1790, 1990, 1990, 1800};
        for (int r = 0; r < 3; r++) assertEquals(1, Sharding.sourcesOf(source, new long[] {1, 1, 1, 1, 1, 1, 1}, 3, r).length);
        assertArrayEquals(new int[] {0, 4, 5}, Sharding.shardBySource(source, 3, 0), "the largest source (1990) on rank 0");
        assertThrows(IllegalArgumentException.class, () -> Sharding.shardBySource(source, 4, 0), "3 sources cannot feed 4 ranks");
        assertThrows(IllegalArgumentException.class, () -> Sharding.shardBySource(source, 3, 3));
    }

    @Test
    void stateOfTheUnionByDecadeBalancesText() throws Exception {
        TextCorpus.Part train = DataSets.corpus("sotu", Path.of(".")).train();
        long[] load = check(train.source(), train.lengths(), 4);
        long max = 0, min = Long.MAX_VALUE;
        for (long l : load) { max = Math.max(max, l); min = Math.min(min, l); }
        assertTrue(max - min < 0.1 * max, "greedy balancing of 21 decades over 4 ranks: " + java.util.Arrays.toString(load));
        check(train.source(), train.lengths(), 21); // one client per decade
        check(train.speakerIds(), train.lengths(), 8); // or per president
    }
}
