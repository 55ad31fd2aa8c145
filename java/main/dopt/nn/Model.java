package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/** A classifier with a hand-written backward pass; buffers are preallocated for {@link #maxBatch()} rows. */
public interface Model {
    /** Trainable parameters in a fixed order (the order of initialisation, flattening and checkpoints). */
    List<Param> params();

    /** Initialises every parameter from {@code rng}, in {@link #params()} order. */
    void init(Rng rng);

    /** Mean cross-entropy over the batch; overwrites every parameter's gradient. */
    float forwardBackward(float[] x, int[] y, int batch);

    /** Mean cross-entropy over the batch, forward only. */
    float loss(float[] x, int[] y, int batch);

    /** How many rows the model classifies correctly (argmax of the logits). */
    int countCorrect(float[] x, int[] y, int batch);

    int inputSize();

    int classes();

    int maxBatch();

    /**
     * Non-trainable state that a checkpoint must hold and that a model's output depends on
     * (BatchNorm's running mean and variance, PyTorch's "buffers"), in a fixed order; never given
     * to an optimizer nor all-reduced as a gradient. Empty for models without such state.
     */
    default List<Param> buffers() { return List.of(); }

    /**
     * Training behaviour (the default) or evaluation behaviour, as PyTorch's {@code train()} /
     * {@code eval()}: in evaluation mode BatchNorm normalises with its running statistics instead
     * of the batch's. A no-op for models whose layers behave the same in both.
     */
    default void setTraining(boolean training) { }
}
