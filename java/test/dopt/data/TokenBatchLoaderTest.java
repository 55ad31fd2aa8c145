package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenBatchLoaderTest {
    private static TextCorpus sotu() throws Exception { return DataSets.corpus("sotu", Path.of(".")); }

    @Test
    void aRestoredLoaderContinuesExactlyWhereTheOriginalWas() throws Exception {
        TextCorpus.Part train = sotu().train();
        int[] docs = Sharding.shardBySource(train.source(), train.lengths(), 4, 2);
        int L = 64, B = 16;
        TokenBatchLoader a = TokenBatchLoader.ofDocuments(train, docs, L, B, 9, 2);
        int per = a.batchesPerEpoch();
        int[] xa = new int[B * (L + 1)], xb = new int[B * (L + 1)];
        for (int i = 0; i < per - 3; i++) a.next(xa); // stop 3 batches before the end of epoch 0
        TokenBatchLoader b = TokenBatchLoader.ofDocuments(train, docs, L, B, 9, 2);
        System.arraycopy(a.position(), 0, b.position(), 0, 2);
        for (int i = 0; i < 10; i++) { // crosses into epoch 1
            a.next(xa);
            b.next(xb);
            assertArrayEquals(xa, xb, "batch " + i + " after the restore");
        }
        assertEquals(1, a.position()[0]);
        assertArrayEquals(a.position(), b.position());
    }

    @Test
    void windowsAreSeqLenPlusOneTokensOfOneDocumentAndAnEpochVisitsEachOnce() throws Exception {
        TextCorpus.Part train = sotu().train();
        int[] docs = {0, 5, 100};
        int L = 128, B = 4;
        TokenBatchLoader l = TokenBatchLoader.ofDocuments(train, docs, L, B, 1, 0);
        int expected = 0;
        for (int d : docs) expected += (train.length(d) - 1) / L;
        assertEquals(expected, l.windows());
        int[] out = new int[B * (L + 1)];
        Set<Integer> seen = new HashSet<>();
        byte[] tok = train.tokens();
        for (int s = 0; s < l.batchesPerEpoch(); s++) {
            l.next(out);
            for (int i = 0; i < B; i++) {
                int start = find(train, docs, L, out, i * (L + 1));
                assertTrue(seen.add(start), "window at " + start + " twice in one epoch");
                for (int t = 0; t <= L; t++) assertEquals(tok[start + t] & 0xFF, out[i * (L + 1) + t]);
            }
        }
        assertEquals(l.batchesPerEpoch() * B, seen.size());
    }

    /** The start of the window (of the given documents) whose tokens {@code out[o..o+L]} are. */
    private static int find(TextCorpus.Part p, int[] docs, int L, int[] out, int o) {
        for (int d : docs)
            for (int s = p.start()[d]; s + L + 1 <= p.start()[d + 1]; s += L) {
                boolean eq = true;
                for (int t = 0; t <= L && eq; t++) eq = (p.tokens()[s + t] & 0xFF) == out[o + t];
                if (eq) return s;
            }
        throw new AssertionError("a window that is not inside one of the documents");
    }

    @Test
    void iidSharesAreDisjointEqualAndDeterministic() throws Exception {
        TextCorpus.Part val = sotu().validation();
        int L = 256, total = 0;
        for (int d = 0; d < val.documents(); d++) total += (val.length(d) - 1) / L;
        Set<Integer> all = new HashSet<>();
        int[][] batches = new int[3][];
        for (int r = 0; r < 3; r++) {
            TokenBatchLoader l = TokenBatchLoader.iid(val, 3, r, L, 8, 5);
            assertEquals(total / 3, l.windows());
            for (int s : l.windowStarts()) assertTrue(all.add(s), "window " + s + " on two ranks");
            TokenBatchLoader again = TokenBatchLoader.iid(val, 3, r, L, 8, 5);
            assertArrayEquals(l.windowStarts(), again.windowStarts(), "same seed, same share");
            batches[r] = new int[8 * (L + 1)];
            int[] other = new int[8 * (L + 1)];
            l.next(batches[r]);
            again.next(other);
            assertArrayEquals(batches[r], other, "same seed, same batches");
        }
        assertEquals(total / 3 * 3, all.size());
        assertFalse(Arrays.equals(batches[0], batches[1]));
        assertFalse(Arrays.equals(TokenBatchLoader.iid(val, 3, 0, L, 8, 6).windowStarts(), TokenBatchLoader.iid(val, 3, 0, L, 8, 5).windowStarts()),
                "another seed, another share");
        assertThrows(IllegalArgumentException.class, () -> TokenBatchLoader.iid(val, 3, 3, L, 8, 5));
    }

    @Test
    void nextAllocatesNothingWithinAnEpoch() throws Exception {
        TextCorpus.Part train = sotu().train();
        TokenBatchLoader l = TokenBatchLoader.iid(train, 2, 0, 256, 32, 3);
        int[] out = new int[32 * 257];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < 2000; i++) l.next(out); // warm-up, across epoch boundaries (about 600 batches per epoch)
        l.position()[0] = 100;
        l.position()[1] = 0;
        l.next(out); // the epoch's permutation is drawn here
        long base0 = mx.getThreadAllocatedBytes(id), base1 = mx.getThreadAllocatedBytes(id);
        long overhead = base1 - base0;
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < l.batchesPerEpoch() - 1; i++) l.next(out);
        long allocated = mx.getThreadAllocatedBytes(id) - before - overhead;
        assertEquals(100, l.position()[0]);
        assertTrue(allocated <= 0, "next() allocated " + allocated + " bytes");
    }
}
