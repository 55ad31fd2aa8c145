package dopt.train;

import dopt.comm.Communicator;
import dopt.tensor.Param;
import java.util.List;

/**
 * What the data-parallel loop trains: a model with its data and loader. One step draws this rank's
 * next batch and computes the local loss and gradients; evaluation is split across ranks.
 */
interface Task {
    List<Param> params();

    /**
     * Non-trainable state the model's output depends on (BatchNorm's running statistics). Each rank
     * keeps its own, following its shard, so the trainer stores them under the rank's part of the
     * state tree.
     */
    default List<Param> buffers() { return List.of(); }

    /** Initialises the model's parameters from {@code rng}. */
    void init(dopt.random.Rng rng);

    /** The live {epoch, cursor} (or similar) position of this rank's loader, held by the state tree. */
    long[] loaderPosition();

    /** Draws the next batch, overwrites the gradients and returns the mean loss of the batch. */
    float forwardBackward();

    /** {accuracy (NaN where it has no meaning, e.g. language modelling), mean loss} on held-out data; a collective call. */
    double[] evaluate(Communicator comm);

    /** Reference figures for the summary table, e.g. a language model's unigram baseline; none by default. */
    default java.util.Map<String, Object> baselines() { return java.util.Map.of(); }

    /** Name of the training data, for the first console line. */
    String dataName();

    /** A short description of the model. */
    String describe();
}
