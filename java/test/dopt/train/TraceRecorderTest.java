package dopt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.comm.LocalCommunicator;
import dopt.io.TraceData;
import dopt.state.StateTree;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-step record: counts exact as int64, evaluations kept, and both through a checkpoint's tree and back. */
class TraceRecorderTest {
    private static final long BIG = (1L << 24) + 1; // the first whole number a float32 cannot hold

    @Test
    void bytePerStepCountsAboveTwoToThe24AreExact() {
        TraceRecorder r = new TraceRecorder(3);
        for (int s = 1; s <= 3; s++) r.record(s, 1f, 1f, 0f, 0.1f, BIG * s, BIG + s, 2f, 3f, s);
        TraceData t = r.gather(new LocalCommunicator(), 3);
        assertArrayEquals(new long[] {1, 2, 3}, t.steps());
        assertArrayEquals(new long[][] {{BIG}, {2 * BIG}, {3 * BIG}}, t.counts("bytes_sent"));
        assertArrayEquals(new long[][] {{BIG + 1}, {BIG + 2}, {BIG + 3}}, t.counts("bytes_received"));
        assertArrayEquals(new long[][] {{1}, {2}, {3}}, t.counts("rejected_messages"));
        assertEquals(2f, t.floats("compute_ms")[2][0]);
    }

    @Test
    void evaluationsUpToTheGatheredStepGoIntoTheTraceAndSurviveACheckpoint() {
        TraceRecorder r = new TraceRecorder(4);
        for (int s = 1; s <= 4; s++) r.record(s, 1f, 1f, 0f, 0.1f, BIG, BIG, 1f, 1f, 0);
        r.evaluated(2, 0.5, 1.25);
        r.evaluated(4, Double.NaN, 0.75);
        TraceData upTo3 = r.gather(new LocalCommunicator(), 3);
        assertArrayEquals(new long[] {2}, upTo3.evaluations().steps(), "an evaluation after the gathered step is left out");

        TraceData all = r.gather(new LocalCommunicator(), 4);
        StateTree tree = new StateTree();
        TraceRecorder.store(all, tree, 1);
        TraceRecorder back = new TraceRecorder(4);
        for (Map.Entry<String, StateTree.Leaf> e : tree.leaves().entrySet())
            back.restore(e.getKey().substring("trace/".length()), e.getValue(), 1, 0);
        TraceData restored = back.gather(new LocalCommunicator(), 4);
        assertArrayEquals(all.counts("bytes_sent"), restored.counts("bytes_sent"));
        assertArrayEquals(new long[] {2, 4}, restored.evaluations().steps());
        assertArrayEquals(new double[] {1.25, 0.75}, restored.evaluations().loss());
        assertArrayEquals(new double[] {0.5, Double.NaN}, restored.evaluations().accuracy());
    }

    /** Checkpoints written before counts were int64 hold them as float32 [step][rank] leaves. */
    @Test
    void float32CountsOfAnOlderCheckpointAreRestoredAsWholeNumbers() {
        TraceRecorder r = new TraceRecorder(2);
        r.restore("bytes_sent", new StateTree.FloatLeaf(new float[] {1024f, 2048f, 4096f, 8192f}, new int[] {2, 2}), 2, 1);
        assertArrayEquals(new long[][] {{2048}, {8192}}, r.gather(new LocalCommunicator(), 2).counts("bytes_sent"), "rank 1's column");
    }
}
