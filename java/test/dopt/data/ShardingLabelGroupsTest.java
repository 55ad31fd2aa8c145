package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Sharding#byLabelGroups}: some parts share one label distribution, the others another. */
class ShardingLabelGroupsTest {
    /** 100 samples, label i mod 10: 50 with labels 0..4, 50 with 5..9. */
    private static int[] labels() {
        int[] y = new int[100];
        for (int i = 0; i < y.length; i++) y[i] = i % 10;
        return y;
    }

    private static final int[][] GROUPS = {{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}};
    private static final int[] SHARDS = {2, 3};

    @Test
    void theFirstGroupsPartsHoldOnlyItsLabelsTheOthersOnlyTheirsDisjointAndEqualWithinAGroup() {
        int[] y = labels();
        Set<Integer> seen = new HashSet<>();
        for (int p = 0; p < 5; p++) {
            int[] part = Sharding.byLabelGroups(y, GROUPS, SHARDS, 5, p, 7);
            // 50 samples in two parts of 25, or in three parts of 16 (two dropped)
            assertEquals(p < 2 ? 25 : 16, part.length, "part " + p);
            for (int i : part) {
                assertTrue(p < 2 ? y[i] < 5 : y[i] >= 5, "part " + p + " holds sample " + i + " of label " + y[i]);
                assertTrue(seen.add(i), "sample " + i + " in two parts");
            }
            for (int k = 1; k < part.length; k++) assertTrue(part[k] > part[k - 1], "ascending");
        }
        assertEquals(50 + 48, seen.size());
    }

    @Test
    void theCutIsAFunctionOfTheSeed() {
        int[] y = labels();
        assertArrayEquals(Sharding.byLabelGroups(y, GROUPS, SHARDS, 5, 3, 7), Sharding.byLabelGroups(y, GROUPS, SHARDS, 5, 3, 7));
        assertTrue(!java.util.Arrays.equals(Sharding.byLabelGroups(y, GROUPS, SHARDS, 5, 3, 7),
                Sharding.byLabelGroups(y, GROUPS, SHARDS, 5, 3, 8)), "another seed, another cut");
    }

    @Test
    void sharedLabelsOrShardsThatDoNotAddUpToThePartsAreRefused() {
        int[] y = labels();
        String e = assertThrows(IllegalArgumentException.class,
                () -> Sharding.byLabelGroups(y, new int[][] {{0, 1}, {1, 2}}, new int[] {1, 1}, 2, 0, 1)).getMessage();
        assertTrue(e.contains("label 1 is in two label groups"), e);
        e = assertThrows(IllegalArgumentException.class, () -> Sharding.byLabelGroups(y, GROUPS, SHARDS, 4, 0, 1)).getMessage();
        assertTrue(e.contains("add up to 5, not 4"), e);
    }
}
