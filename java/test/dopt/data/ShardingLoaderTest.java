package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Sharding and loader properties beyond {@link DataTest}, on small synthetic label vectors (no files). */
class ShardingLoaderTest {

    private static int[] labels(int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (i * 7 + i / 13) % classes;
        return y;
    }

    /** A synthetic data set whose feature row i is {i, -i}: a batch shows which samples it holds. */
    private static Dataset synthetic(int n) {
        float[] x = new float[2 * n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
        }
        return new Dataset("synthetic", x, labels(n, 3), n, 2, 3);
    }

    @Test
    void dirichletShardsAreDeterministicPerSeedAndSortedAndDependOnTheSeed() {
        int[] y = labels(2000, 10);
        boolean differs = false;
        for (int r = 0; r < 5; r++) {
            int[] s = Sharding.shard(y, 10, 5, r, "dirichlet", 0.5, 9);
            assertArrayEquals(s, Sharding.shard(y, 10, 5, r, "dirichlet", 0.5, 9), "rank " + r);
            for (int i = 1; i < s.length; i++) assertTrue(s[i - 1] < s[i], "sorted and distinct");
            differs |= !Arrays.equals(s, Sharding.shard(y, 10, 5, r, "dirichlet", 0.5, 10));
        }
        assertTrue(differs, "another seed gives other shards");
    }

    @Test
    void iidShardsOfEveryRankCountCoverNMinusTheRemainder() {
        int[] y = labels(97, 4);
        for (int ranks = 1; ranks <= 7; ranks++) {
            boolean[] seen = new boolean[97];
            int total = 0;
            for (int r = 0; r < ranks; r++) {
                int[] s = Sharding.shard(y, 4, ranks, r, "iid", 0, 2);
                assertEquals(97 / ranks, s.length);
                for (int i : s) {
                    assertFalse(seen[i], "disjoint");
                    seen[i] = true;
                }
                total += s.length;
            }
            assertEquals(97 - 97 % ranks, total);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        int[] y = labels(20, 2);
        assertThrows(IllegalArgumentException.class, () -> Sharding.shard(y, 2, 2, 0, "pathological", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Sharding.shard(y, 2, 2, 2, "iid", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Sharding.shard(y, 2, 2, 0, "dirichlet", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Sharding.shard(new int[] {0, 5}, 2, 2, 0, "dirichlet", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchLoader(synthetic(5), new int[] {0, 1}, 3, 0, 0));
    }

    /**
     * The case a checkpoint restore creates: the loader has already cached the permutation of a
     * later epoch when its live position is overwritten with an earlier one.
     */
    @Test
    void overwritingThePositionOfALoaderThatIsAlreadyInALaterEpochRebuildsThePermutation() {
        Dataset d = synthetic(50);
        int[] shard = Sharding.shard(d.y(), 3, 1, 0, "iid", 0, 1); // 50 samples, 7 batches of 7 per epoch
        BatchLoader reference = new BatchLoader(d, shard, 7, 3, 0), restored = new BatchLoader(d, shard, 7, 3, 0);
        assertEquals(7, reference.batchesPerEpoch());
        float[] xr = new float[14], xs = new float[14];
        int[] yr = new int[7], ys = new int[7];
        for (int i = 0; i < 17; i++) restored.next(xs, ys); // into epoch 2
        for (int i = 0; i < 10; i++) reference.next(xr, yr); // epoch 1, cursor 21
        assertArrayEquals(new long[] {1, 21}, reference.position());
        long[] live = restored.position();
        live[0] = 1;
        live[1] = 21;
        for (int i = 0; i < 12; i++) { // to the end of epoch 1 and on through epoch 2
            reference.next(xr, yr);
            restored.next(xs, ys);
            assertArrayEquals(xr, xs, "batch " + (10 + i));
            assertArrayEquals(yr, ys);
        }
        assertTrue(live == restored.position(), "position() is the same live array");
        assertArrayEquals(new long[] {3, 7}, live);
    }

    @Test
    void aPositionRestoredAtTheExactEndOfAnEpochStartsTheNextOne() {
        Dataset d = synthetic(30);
        int[] shard = new int[30];
        for (int i = 0; i < 30; i++) shard[i] = i;
        BatchLoader a = new BatchLoader(d, shard, 10, 5, 2), b = new BatchLoader(d, shard, 10, 5, 2);
        float[] xa = new float[20], xb = new float[20];
        int[] ya = new int[10], yb = new int[10];
        for (int i = 0; i < 3; i++) a.next(xa, ya);
        assertArrayEquals(new long[] {0, 30}, a.position());
        System.arraycopy(a.position(), 0, b.position(), 0, 2);
        a.next(xa, ya);
        b.next(xb, yb);
        assertArrayEquals(xa, xb);
        assertArrayEquals(new long[] {1, 10}, b.position());
    }

    @Test
    void everyEpochIsAPermutationOfTheShardMinusTheDroppedTail() {
        Dataset d = synthetic(40);
        int[] shard = {3, 5, 8, 13, 21, 34, 1, 2, 0, 39, 38};
        BatchLoader l = new BatchLoader(d, shard, 3, 11, 0); // 3 batches, 2 samples dropped per epoch
        float[] x = new float[6];
        int[] y = new int[3];
        int[] seen = new int[40];
        for (int epoch = 0; epoch < 4; epoch++) {
            for (int b = 0; b < 3; b++) {
                l.next(x, y);
                for (int i = 0; i < 3; i++) {
                    int s = (int) x[2 * i];
                    assertEquals(-s, x[2 * i + 1]);
                    assertEquals(d.y()[s], y[i]);
                    seen[s]++;
                }
            }
            int shardHits = 0;
            for (int s : shard) shardHits += seen[s];
            assertEquals(9 * (epoch + 1), shardHits, "only shard samples, 9 per epoch");
        }
    }

    /**
     * next() allocates only when it starts an epoch (the epoch's generator, about 100 bytes);
     * measured over windows so that JIT warm-up cannot make the bound flaky.
     */
    @Test
    void nextAllocatesOnlyAtEpochStarts() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Dataset d = synthetic(1000);
        int[] shard = Sharding.shard(d.y(), 3, 1, 0, "iid", 0, 1);
        BatchLoader l = new BatchLoader(d, shard, 100, 1, 0);
        float[] x = new float[200];
        int[] y = new int[100];
        long best = Long.MAX_VALUE;
        for (int window = 0; window < 30 && best > 2048 + 50 * 256; window++) {
            long t0 = bean.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 500; i++) l.next(x, y); // 50 epochs
            best = Math.min(best, bean.getCurrentThreadAllocatedBytes() - t0);
        }
        assertTrue(best <= 2048 + 50 * 256, "500 batches over 50 epochs allocated " + best + " bytes");
    }
}
