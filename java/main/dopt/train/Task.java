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

    /**
     * The model's weights: {@link #params()} before {@link #adapt}, the frozen base weights after.
     */
    default List<Param> weights() { return params(); }

    /**
     * From now on train through {@code adapters} around the model's frozen weights: {@link #params()}
     * become the adapter matrices (see {@link dopt.nn.adapter.AdaptedTokenModel}).
     */
    default void adapt(dopt.nn.adapter.AdapterSet adapters) {
        throw new UnsupportedOperationException(describe() + " takes no adapters");
    }

    /**
     * One batch's gradient of the (unadapted) model, from a loader of its own over this rank's
     * training share seeded with {@code seed}: each run overwrites the weights' gradients (LoRA-SB's
     * estimate of the first update). The training loader's position is not touched.
     */
    default Runnable sampleGradient(long seed) {
        throw new UnsupportedOperationException(describe() + " takes no adapters");
    }

    /** Examples per batch on this rank. */
    default int batchSize() { throw new UnsupportedOperationException(); }

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
