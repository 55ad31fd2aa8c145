package dopt.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class StageCutsTest {
    /** The demo MLP 784-512-512-10: its first layer alone outweighs the other two together. */
    private static final long[] DEMO = {784 * 512 + 512, 512 * 512 + 512, 512 * 10 + 10};

    @Test
    void balancesTheLargestStageByParameterCount() {
        assertArrayEquals(new int[] {0, 1}, StageCuts.starts(null, DEMO, 2));
        assertArrayEquals(new int[] {0, 1, 2}, StageCuts.starts(null, DEMO, 3));
        // 4 equal layers: 2 per stage; 5, 1, 1, 1, 1, 5 into 3: {5}, {1,1,1,1}, {5}
        assertArrayEquals(new int[] {0, 2}, StageCuts.starts(null, new long[] {3, 3, 3, 3}, 2));
        assertArrayEquals(new int[] {0, 1, 5}, StageCuts.starts(null, new long[] {5, 1, 1, 1, 1, 5}, 3));
    }

    @Test
    void takesTheJobsCutsAndRefusesOnesThatDoNotSplitTheLayers() {
        assertArrayEquals(new int[] {0, 2}, StageCuts.starts(List.of(2), DEMO, 2));
        assertThrows(IllegalArgumentException.class, () -> StageCuts.starts(List.of(3), DEMO, 2));
        assertThrows(IllegalArgumentException.class, () -> StageCuts.starts(List.of(2, 1), DEMO, 3));
        assertThrows(IllegalArgumentException.class, () -> StageCuts.starts(List.of(1), DEMO, 3));
        assertThrows(IllegalArgumentException.class, () -> StageCuts.starts(null, DEMO, 4));
    }
}
