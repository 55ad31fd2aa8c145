package dopt.data;

import dopt.random.Rng;

/**
 * Deterministic language-model batches from one rank's share of a corpus part. The share is cut
 * into windows of {@code seqLen + 1} tokens that start every {@code seqLen} tokens inside a document
 * (consecutive windows overlap by one token, so each token of a document after its first is the
 * target of exactly one window, except in the tail too short for a window, which is not used;
 * windows never cross documents).
 * Each epoch visits the rank's windows in the order of a permutation drawn from
 * {@code Rng.derive(seed, rank, epoch)}, dropping the last partial batch — as {@link BatchLoader}
 * does for samples. The whole position is {@link #position()} = {epoch, cursor} (step = epoch ×
 * {@link #batchesPerEpoch()} + cursor / batch), a live array the state tree holds; after a
 * checkpoint restores it, the next batch is exactly the one the original run drew next.
 *
 * <p>Shares: {@link #ofDocuments} takes whole documents (e.g. from {@link Sharding#shardBySource});
 * {@link #iid} deals all windows of the part to ranks by one seeded permutation, equal counts
 * (the remainder is dropped), like {@link Sharding#shard} "iid" does for samples.
 */
public final class TokenBatchLoader {
    private final byte[] tokens;
    private final int[] windows, perm;
    private final int seqLen, batch, rank;
    private final long seed;
    private final long[] position = {0, 0};
    private long permEpoch = -1;

    private TokenBatchLoader(byte[] tokens, int[] windows, int seqLen, int batch, long seed, int rank) {
        if (windows.length < batch)
            throw new IllegalArgumentException("a share of " + windows.length + " windows of " + (seqLen + 1) + " tokens cannot fill a batch of " + batch);
        this.tokens = tokens;
        this.windows = windows;
        this.perm = new int[windows.length];
        this.seqLen = seqLen;
        this.batch = batch;
        this.seed = seed;
        this.rank = rank;
    }

    /** Windows from the documents {@code docs} of {@code part}. */
    public static TokenBatchLoader ofDocuments(TextCorpus.Part part, int[] docs, int seqLen, int batch, long seed, int rank) {
        checkShape(seqLen, batch);
        int count = 0;
        for (int d : docs) count += windowsIn(part.length(d), seqLen);
        int[] w = new int[count];
        int k = 0;
        for (int d : docs)
            for (int j = 0, m = windowsIn(part.length(d), seqLen); j < m; j++) w[k++] = part.start()[d] + j * seqLen;
        return new TokenBatchLoader(part.tokens(), w, seqLen, batch, seed, rank);
    }

    /** {@code rank}'s equal share of all windows of {@code part}, dealt by a permutation from the seed. */
    public static TokenBatchLoader iid(TextCorpus.Part part, int ranks, int rank, int seqLen, int batch, long seed) {
        if (rank < 0 || rank >= ranks) throw new IllegalArgumentException("rank " + rank + " outside 0.." + (ranks - 1));
        int[] docs = new int[part.documents()];
        for (int d = 0; d < docs.length; d++) docs[d] = d;
        int[] all = ofDocuments(part, docs, seqLen, 1, seed, 0).windows;
        Rng.derive(seed, 0x5EED, 4).shuffle(all);
        int per = all.length / ranks;
        int[] mine = java.util.Arrays.copyOfRange(all, rank * per, (rank + 1) * per);
        java.util.Arrays.sort(mine);
        return new TokenBatchLoader(part.tokens(), mine, seqLen, batch, seed, rank);
    }

    private static void checkShape(int seqLen, int batch) {
        if (seqLen < 1 || batch < 1) throw new IllegalArgumentException("sequence length " + seqLen + " and batch " + batch + " must be positive");
    }

    private static int windowsIn(int docLength, int seqLen) {
        return docLength < seqLen + 1 ? 0 : (docLength - 1) / seqLen;
    }

    /** A loader over the same windows with its own seed and its own position (at the start). */
    public TokenBatchLoader reseeded(long newSeed) {
        return new TokenBatchLoader(tokens, windows, seqLen, batch, newSeed, rank);
    }

    /** The live {epoch, cursor} array. */
    public long[] position() { return position; }

    public int batchesPerEpoch() { return windows.length / batch; }

    /** Windows in this rank's share. */
    public int windows() { return windows.length; }

    /** The token offsets where this rank's windows start (a copy, in increasing order). */
    int[] windowStarts() { return windows.clone(); }

    public int seqLen() { return seqLen; }

    public int batch() { return batch; }

    /**
     * Copies the next batch into {@code out[batch × (seqLen+1)]}: row i is window i, token ids in
     * 0..255; inputs are {@code out[i(L+1) .. i(L+1)+L)}, targets the same shifted by one.
     */
    public void next(int[] out) {
        int w = seqLen + 1;
        if (out.length < batch * w) throw new IllegalArgumentException("output holds " + out.length + " tokens, a batch needs " + batch * w);
        if (position[1] + batch > windows.length) {
            position[0]++;
            position[1] = 0;
        }
        if (permEpoch != position[0]) reshuffle(position[0]);
        int start = (int) position[1];
        for (int i = 0; i < batch; i++) {
            int s = windows[perm[start + i]], o = i * w;
            for (int t = 0; t < w; t++) out[o + t] = tokens[s + t] & 0xFF;
        }
        position[1] += batch;
    }

    private void reshuffle(long epoch) {
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        Rng.derive(seed, rank, epoch).shuffle(perm);
        permEpoch = epoch;
    }
}
