package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * A model with a hand-written backward pass, generic over the batch it reads: images or feature
 * rows with labels ({@link Model}, batches of {@link Batch.Examples}), next-token windows
 * ({@link TokenModel}, {@link Batch.Windows}), labelled token sequences ({@link TokenClassifier},
 * {@link Batch.Texts}). Training, evaluation and fine-tuning through adapters are written once
 * against this interface; buffers are preallocated, so a step allocates nothing.
 *
 * @param <B> the batch: arrays the loader fills in place, plus their sizes
 */
public interface Network<B> {
    /** Trainable parameters in a fixed order (the order of initialisation, flattening and checkpoints). */
    List<Param> params();

    /** Initialises every parameter from {@code rng}, in {@link #params()} order. */
    void init(Rng rng);

    /** The batch's mean loss; overwrites every parameter's gradient with the gradient of that mean. */
    float forwardBackward(B batch);

    /** The same mean loss, forward only; gradients are left untouched. */
    float loss(B batch);

    /**
     * Non-trainable state that a checkpoint must hold and that the output depends on (BatchNorm's
     * running statistics, PyTorch's "buffers"), in a fixed order. Empty by default.
     */
    default List<Param> buffers() { return List.of(); }

    /** Training (default) or evaluation behaviour, as PyTorch's train()/eval(); a no-op for most models. */
    default void setTraining(boolean training) { }
}
