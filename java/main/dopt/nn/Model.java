package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/** A classifier with a hand-written backward pass; buffers are preallocated for {@link #maxBatch()} rows. */
public interface Model extends Classifier<Batch.Examples> {
    @Override default float forwardBackward(Batch.Examples b) { return forwardBackward(b.x(), b.y(), b.size()); }
    @Override default float loss(Batch.Examples b) { return loss(b.x(), b.y(), b.size()); }
    @Override default int countCorrect(Batch.Examples b) { return countCorrect(b.x(), b.y(), b.size()); }

    /** Mean cross-entropy over the batch; overwrites every parameter's gradient. */
    float forwardBackward(float[] x, int[] y, int batch);

    /** Mean cross-entropy over the batch, forward only. */
    float loss(float[] x, int[] y, int batch);

    /** How many rows the model classifies correctly (argmax of the logits). */
    int countCorrect(float[] x, int[] y, int batch);

    int inputSize();

    int classes();

    int maxBatch();
}
