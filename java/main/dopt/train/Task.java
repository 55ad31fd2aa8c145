package dopt.train;

import dopt.comm.Communicator;
import dopt.nn.Network;
import dopt.nn.adapter.Adapted;
import dopt.nn.adapter.AdapterSet;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * What the round loop trains on one rank: a {@link Network} with this rank's batches and a held-out
 * evaluation. One class for every model family (classifiers of images or feature rows, language
 * models, text classifiers): they differ only in their batch type {@code B}, their loader and their
 * evaluation.
 */
final class Task<B> {
    private Network<B> model;
    private final List<Param> weights;
    private final Batches<B> batches;
    private final Evaluation<B> evaluation;
    private final String dataName, description;
    private final double baselineLoss;

    /** {@code baselineLoss}: the held-out loss of a trivial model for the summary (a unigram LM), NaN if none. */
    Task(Network<B> model, Batches<B> batches, Evaluation<B> evaluation, String dataName, String description, double baselineLoss) {
        this.model = model;
        this.weights = model.params();
        this.batches = batches;
        this.evaluation = evaluation;
        this.dataName = dataName;
        this.description = description;
        this.baselineLoss = baselineLoss;
    }

    /** Held-out evaluation of a network, split across ranks: {accuracy (NaN where meaningless), mean loss}. */
    @FunctionalInterface
    interface Evaluation<B> {
        double[] evaluate(Network<B> model, Communicator comm);
    }

    /** Initialises the model's parameters from {@code rng}. */
    void init(Rng rng) { model.init(rng); }

    /** What the optimizer trains: the weights, or the adapter matrices after {@link #adapt}. */
    List<Param> params() { return model.params(); }

    /** The model's weights: {@link #params()} before {@link #adapt}, the frozen base weights after. */
    List<Param> weights() { return weights; }

    /** Non-trainable state each rank keeps for its own shard (BatchNorm's running statistics). */
    List<Param> buffers() { return model.buffers(); }

    int batchSize() { return batches.size(); }

    /** This rank's batch source (federated: the {@link ClientBatches} of the clients it hosts). */
    Batches<B> batches() { return batches; }

    /** The live position of this rank's loader, held by the state tree. */
    long[] loaderPosition() { return batches.position(); }

    /** Draws the next batch, overwrites the gradients and returns the batch's mean loss. */
    float forwardBackward() { return model.forwardBackward(batches.next()); }

    /** {accuracy (NaN for language models), mean loss} on held-out data; a collective call. */
    double[] evaluate(Communicator comm) { return evaluation.evaluate(model, comm); }

    /** From now on train through {@code adapters} around the frozen weights: {@link #params()} become the adapter matrices. */
    void adapt(AdapterSet adapters) {
        if (model instanceof Adapted) throw new IllegalStateException("already adapted");
        model = new Adapted<>(model, adapters);
    }

    /**
     * One batch's gradient of the (unadapted) model from a second loader over this rank's share,
     * seeded with {@code seed}: each run overwrites the weights' gradients (LoRA-SB's estimate of the
     * first update). The training loader's position is not touched.
     */
    Runnable sampleGradient(long seed) {
        Batches<B> sample = batches.reseeded(seed);
        Network<B> base = model;
        return () -> base.forwardBackward(sample.next());
    }

    double baselineLoss() { return baselineLoss; }

    String dataName() { return dataName; }

    String describe() { return description; }
}
