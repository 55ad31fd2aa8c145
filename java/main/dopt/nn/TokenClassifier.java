package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * A classifier of token sequences (e-mails as bytes, for instance) with a hand-written backward
 * pass; buffers are preallocated for {@link #maxBatch()} rows of up to {@link #maxSeqLen()}
 * tokens. The sequence counterpart of {@link Model}.
 *
 * <p>Token layout: {@code tokens} holds {@code batch} rows of {@code seqLen} ids, row b at offset
 * b·seqLen; each id is in [0, {@link #vocabSize()}) or {@link #PAD}, which fills the tail of a
 * shorter sequence and is ignored. {@code labels[b]} is in [0, {@link #classes()}).
 */
public interface TokenClassifier extends Classifier<Batch.Texts> {
    @Override default float forwardBackward(Batch.Texts b) { return forwardBackward(b.tokens(), b.labels(), b.size(), b.seqLen()); }
    @Override default float loss(Batch.Texts b) { return loss(b.tokens(), b.labels(), b.size(), b.seqLen()); }
    @Override default int countCorrect(Batch.Texts b) { return countCorrect(b.tokens(), b.labels(), b.size(), b.seqLen()); }

    /** The padding id: positions holding it contribute nothing. */
    int PAD = -1;

    /** Mean cross-entropy over the batch; overwrites every parameter's gradient. */
    float forwardBackward(int[] tokens, int[] labels, int batch, int seqLen);

    /** Mean cross-entropy over the batch, forward only. */
    float loss(int[] tokens, int[] labels, int batch, int seqLen);

    /** How many rows the model classifies correctly (argmax of the logits). */
    int countCorrect(int[] tokens, int[] labels, int batch, int seqLen);

    int vocabSize();

    int classes();

    int maxSeqLen();

    int maxBatch();
}
