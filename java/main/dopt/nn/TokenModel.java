package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * A next-token language model with a hand-written backward pass; buffers are preallocated for
 * {@link #maxBatch()} sequences of up to {@link #maxSeqLen()} positions, so training steps
 * allocate nothing.
 *
 * <p>Token layout: {@code tokens} holds {@code batch} rows of {@code seqLen + 1} ids in
 * [0, {@link #vocabSize()}), row b at offset b·(seqLen + 1). Position t of row b is predicted from
 * the tokens at positions 0..t of that row, and its target is the token at position t + 1; the
 * last token of each row is a target only. Consecutive rows may be overlapping windows of one
 * text (the loader's choice).
 */
public interface TokenModel extends Network<Batch.Windows> {
    @Override default float forwardBackward(Batch.Windows b) { return forwardBackward(b.tokens(), b.size(), b.seqLen()); }
    @Override default float loss(Batch.Windows b) { return loss(b.tokens(), b.size(), b.seqLen()); }

    /**
     * Mean next-token cross-entropy (nats) over all batch × seqLen predicted positions; overwrites
     * every parameter's gradient with the gradient of that mean.
     */
    float forwardBackward(int[] tokens, int batch, int seqLen);

    /** The same mean cross-entropy, forward only; gradients are left untouched. */
    float loss(int[] tokens, int batch, int seqLen);

    int vocabSize();

    int maxSeqLen();

    int maxBatch();
}
