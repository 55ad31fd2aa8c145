package dopt.data;

import dopt.random.Rng;

/**
 * Deterministic mini-batches of labelled texts from one rank's shard, as {@link BatchLoader} does
 * for feature vectors: each epoch visits the shard in the order of a permutation drawn from
 * {@code Rng.derive(seed, rank, epoch)}; the position {epoch, cursor} is a live array the state tree
 * holds. A text becomes its first {@code seqLen} bytes, the rest of a shorter text's row is filled
 * with {@link #PAD} (the padding id token classifiers ignore).
 */
public final class TextBatchLoader {
    /** Pads the tail of a short text (the same value as {@code dopt.nn.TokenClassifier.PAD}). */
    public static final int PAD = -1;

    private final LabelledTexts texts;
    private final int[] indices, perm;
    private final int batch, seqLen;
    private final long seed;
    private final int rank;
    private final long[] position = {0, 0};
    private long permEpoch = -1;

    public TextBatchLoader(LabelledTexts texts, int[] indices, int batch, int seqLen, long seed, int rank) {
        if (indices.length < batch)
            throw new IllegalArgumentException("shard of " + indices.length + " texts cannot fill a batch of " + batch);
        if (seqLen < 1) throw new IllegalArgumentException("seq_len must be at least 1, got " + seqLen);
        this.texts = texts;
        this.indices = indices.clone();
        this.perm = new int[indices.length];
        this.batch = batch;
        this.seqLen = seqLen;
        this.seed = seed;
        this.rank = rank;
    }

    public long[] position() { return position; }

    /** Fills {@code tokens[batch × seqLen]} and {@code labels[batch]} with the next batch. */
    public void next(int[] tokens, int[] labels) {
        if (position[1] + batch > indices.length) {
            position[0]++;
            position[1] = 0;
        }
        if (permEpoch != position[0]) {
            System.arraycopy(indices, 0, perm, 0, indices.length);
            Rng.derive(seed, rank, position[0]).shuffle(perm);
            permEpoch = position[0];
        }
        int start = (int) position[1];
        for (int i = 0; i < batch; i++) {
            int doc = perm[start + i];
            copy(texts, doc, seqLen, tokens, i * seqLen);
            labels[i] = texts.label()[doc];
        }
        position[1] += batch;
    }

    /** Writes text {@code doc}'s first {@code seqLen} bytes (as ids 0..255) at {@code out[off]}, padding the rest. */
    public static void copy(LabelledTexts texts, int doc, int seqLen, int[] out, int off) {
        byte[] b = texts.bytes();
        int from = texts.start()[doc], n = Math.min(seqLen, texts.length(doc));
        for (int t = 0; t < n; t++) out[off + t] = b[from + t] & 0xFF;
        for (int t = n; t < seqLen; t++) out[off + t] = PAD;
    }
}
