package dopt.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    /** Every micro-batch passes forward then backward exactly once; backwards run in micro-batch order (the accumulation order). */
    @Test
    void everyMicroBatchOnceForwardBeforeBackwardBackwardsInOrder() {
        for (Schedule s : Schedule.values())
            for (int k = 1; k <= 4; k++)
                for (int m = 1; m <= 6; m++)
                    for (int i = 0; i < k; i++) {
                        List<Schedule.Op> ops = s.ops(i, k, m);
                        assertEquals(2 * m, ops.size());
                        int nextF = 0, nextB = 0;
                        for (Schedule.Op op : ops) {
                            if (op.forward()) assertEquals(nextF++, op.microBatch(), s + " " + ops);
                            else {
                                assertEquals(nextB++, op.microBatch(), s + " " + ops);
                                assertTrue(op.microBatch() < nextF, "backward before forward: " + ops);
                            }
                        }
                    }
    }

    /** The stash never holds more micro-batches than its slots, and micro-batch j's slot (j mod slots) is free at its forward. */
    @Test
    void inFlightMicroBatchesFitTheSlots() {
        for (Schedule s : Schedule.values())
            for (int k = 1; k <= 4; k++)
                for (int m = 1; m <= 6; m++)
                    for (int i = 0; i < k; i++) {
                        int slots = s.slots(i, k, m);
                        Integer[] held = new Integer[slots];
                        for (Schedule.Op op : s.ops(i, k, m)) {
                            int slot = op.microBatch() % slots;
                            if (op.forward()) {
                                assertEquals(null, held[slot], s + " stage " + i + "/" + k + " m=" + m + ": slot taken at " + op);
                                held[slot] = op.microBatch();
                            } else {
                                assertEquals(op.microBatch(), held[slot]);
                                held[slot] = null;
                            }
                        }
                    }
    }

    @Test
    void oneFOneBStashesAtMostTheStagesAheadGpipeAll() {
        assertEquals(8, Schedule.GPIPE.slots(0, 4, 8));
        assertEquals(4, Schedule.ONE_F_ONE_B.slots(0, 4, 8));
        assertEquals(1, Schedule.ONE_F_ONE_B.slots(3, 4, 8));
        assertEquals("[F0, F1, F2, B0, F3, B1, B2, B3]", Schedule.ONE_F_ONE_B.ops(1, 4, 4).toString());
        assertEquals("[F0, B0, F1, B1, F2, B2, F3, B3]", Schedule.ONE_F_ONE_B.ops(3, 4, 4).toString());
        assertEquals("[F0, F1, F2, B0, B1, B2]", Schedule.GPIPE.ops(2, 4, 3).toString());
        assertEquals(Schedule.ONE_F_ONE_B, Schedule.byId("1f1b"));
        assertEquals(null, Schedule.byId("pipedream"));
    }
}
