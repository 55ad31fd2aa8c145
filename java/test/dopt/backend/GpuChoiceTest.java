package dopt.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rank's GPU from what slurm/dopt-job.sbatch exports: local rank = rank mod DOPT_RANKS_PER_NODE,
 * device = DOPT_GPU_IDS[local rank mod its length], else local rank mod the visible devices.
 */
class GpuChoiceTest {
    private static List<Integer> ordinals(GpuChoice g, int ranks, int visible) {
        List<Integer> out = new ArrayList<>();
        for (int r = 0; r < ranks; r++) out.add(g.ordinal(r, visible));
        return out;
    }

    @Test
    void withoutTheVariablesTheRankPicksModuloTheVisibleDevices() {
        GpuChoice none = GpuChoice.of(Map.of());
        assertEquals(List.of(0, 1, 0, 1, 0), ordinals(none, 5, 2));
        assertEquals(none, GpuChoice.of(Map.of("DOPT_RANKS_PER_NODE", " ", "DOPT_GPU_IDS", "")), "blank is unset");
    }

    @Test
    void theLocalRankCountsFromEachNodesFirstRank() {
        // 2 nodes x 3 ranks, 4 GPUs per node: ranks 3, 4, 5 are the second node's 0, 1, 2 (global rank mod 4 gave 3, 0, 1)
        GpuChoice g = GpuChoice.of(Map.of("DOPT_RANKS_PER_NODE", "3"));
        assertEquals(List.of(0, 1, 2, 0, 1, 2), List.of(g.localRank(0), g.localRank(1), g.localRank(2), g.localRank(3), g.localRank(4), g.localRank(5)));
        assertEquals(List.of(0, 1, 2, 0, 1, 2), ordinals(g, 6, 4));
    }

    @Test
    void theNodesGpuIdsAreSharedRoundRobin() {
        // a 4+2 layout (DOPT_RANKS_PER_NODE is the fullest node's 4) on nodes with GPUs 0 and 1
        GpuChoice g = GpuChoice.of(Map.of("DOPT_RANKS_PER_NODE", "4", "DOPT_GPU_IDS", "0,1"));
        assertEquals(List.of(0, 1, 0, 1, 0, 1), ordinals(g, 6, 2));
        // ordinals as listed, not from 0
        GpuChoice upper = GpuChoice.of(Map.of("DOPT_RANKS_PER_NODE", "2", "DOPT_GPU_IDS", "2, 3"));
        assertEquals(List.of(2, 3, 2, 3), ordinals(upper, 4, 4));
    }

    @Test
    void aDeviceTheProcessDoesNotSeeIsAnError() {
        GpuChoice g = GpuChoice.of(Map.of("DOPT_GPU_IDS", "0,3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.ordinal(1, 2));
        assertTrue(e.getMessage().contains("names device 3, but this process sees 2"), e.getMessage());
    }

    @Test
    void unreadableValuesNameTheVariables() {
        for (Map<String, String> env : List.of(Map.of("DOPT_RANKS_PER_NODE", "four"), Map.of("DOPT_RANKS_PER_NODE", "0"),
                Map.of("DOPT_GPU_IDS", "0;1"), Map.of("DOPT_GPU_IDS", "-1"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuChoice.of(env));
            assertTrue(e.getMessage().contains("DOPT_RANKS_PER_NODE") || e.getMessage().contains("DOPT_GPU_IDS"), e.getMessage());
        }
    }
}
