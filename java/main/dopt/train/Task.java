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
    /** The batch {@link #forwardBackward} drew last (the loader's reused buffer). */
    private B last;

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

    /** The network trained (a {@link StageNetwork} in a pipeline). */
    Network<B> network() { return model; }

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
    float forwardBackward() {
        last = batches.next();
        return model.forwardBackward(last);
    }

    /**
     * The gradients of the batch {@link #forwardBackward} drew last, at the parameters as they are
     * now (a variance-reduced difference ∇f_b(x) − ∇f_b(y) needs both on the same batch); draws nothing.
     */
    float forwardBackwardAgain() {
        if (last == null) throw new IllegalStateException("no batch drawn yet");
        return model.forwardBackward(last);
    }

    /**
     * Overwrites the gradients with this rank's full local gradient, the mean gradient over every
     * example of its share (chunk gradients weighted by their sizes, summed in {@code sum}, a
     * scratch buffer of the parameters' flat length), and returns the mean loss. The loader's
     * position is untouched.
     */
    float fullGradient(float[] sum) {
        Batches.Shard<B> shard = batches.shard();
        java.util.Arrays.fill(sum, 0f);
        double loss = 0;
        long examples = 0;
        for (int c = 0; c < shard.chunks(); c++) {
            int m = shard.size(c);
            loss += (double) model.forwardBackward(shard.chunk(c)) * m;
            examples += m;
            int o = 0;
            for (Param p : params()) {
                float[] g = p.grad();
                for (int k = 0; k < g.length; k++) sum[o + k] += m * g[k];
                o += g.length;
            }
        }
        int o = 0;
        for (Param p : params()) {
            float[] g = p.grad();
            for (int k = 0; k < g.length; k++) g[k] = sum[o + k] / examples;
            o += g.length;
        }
        return (float) (loss / examples);
    }

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
