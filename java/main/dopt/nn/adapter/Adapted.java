package dopt.nn.adapter;

import dopt.nn.Classifier;
import dopt.nn.Network;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * Any {@link Network} fine-tuned through adapters: the same contract, but {@link #params()} are the
 * adapter matrices only and the base network's weights stay frozen. Each call merges the adapters
 * into the base weights (W₀ + ΔW), runs the base network's own forward (and backward), maps the
 * weight gradients to the adapters and restores W₀ (see {@link Adapter}). A wrapper rather than a
 * hook inside each model keeps the models and their tests untouched, and works for any network
 * whose weights are [out × in] {@link Param}s. Weights that are not adapted (embedding, norms,
 * head) are frozen too, as in LoRA.
 */
public final class Adapted<B> implements Classifier<B> {
    private final Network<B> base;
    private final AdapterSet adapters;

    public Adapted(Network<B> base, AdapterSet adapters) {
        this.base = base;
        this.adapters = adapters;
    }

    public Network<B> base() { return base; }
    public AdapterSet adapters() { return adapters; }

    @Override public List<Param> params() { return adapters.params(); }

    /** Re-initialises the adapters; the base weights are not touched. */
    @Override public void init(Rng rng) { adapters.reset(rng); }

    @Override
    public float forwardBackward(B batch) {
        adapters.merge();
        try {
            float loss = base.forwardBackward(batch);
            adapters.backward();
            return loss;
        } finally {
            adapters.restore();
        }
    }

    @Override
    public float loss(B batch) {
        adapters.merge();
        try {
            return base.loss(batch);
        } finally {
            adapters.restore();
        }
    }

    /** The base network's count; only for a base that is a {@link Classifier}. */
    @Override
    public int countCorrect(B batch) {
        if (!(base instanceof Classifier<B> c)) throw new UnsupportedOperationException(base.getClass().getSimpleName() + " does not classify");
        adapters.merge();
        try {
            return c.countCorrect(batch);
        } finally {
            adapters.restore();
        }
    }

    @Override public List<Param> buffers() { return base.buffers(); }
    @Override public void setTraining(boolean training) { base.setTraining(training); }
}
