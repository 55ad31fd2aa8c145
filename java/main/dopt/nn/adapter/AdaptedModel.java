package dopt.nn.adapter;

import dopt.nn.Model;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * A classifier ({@link Model}, e.g. {@link dopt.nn.Mlp}) fine-tuned through adapters; the
 * counterpart of {@link AdaptedTokenModel}: the adapter matrices are the parameters, the base
 * weights stay frozen, each call merges, runs the base model and restores.
 */
public final class AdaptedModel implements Model {
    private final Model base;
    private final AdapterSet adapters;

    public AdaptedModel(Model base, AdapterSet adapters) {
        this.base = base;
        this.adapters = adapters;
    }

    public Model base() { return base; }
    public AdapterSet adapters() { return adapters; }

    @Override public List<Param> params() { return adapters.params(); }

    /** Re-initialises the adapters; the base weights are not touched. */
    @Override public void init(Rng rng) { adapters.reset(rng); }

    @Override
    public float forwardBackward(float[] x, int[] y, int batch) {
        adapters.merge();
        try {
            float loss = base.forwardBackward(x, y, batch);
            adapters.backward();
            return loss;
        } finally {
            adapters.restore();
        }
    }

    @Override
    public float loss(float[] x, int[] y, int batch) {
        adapters.merge();
        try {
            return base.loss(x, y, batch);
        } finally {
            adapters.restore();
        }
    }

    @Override
    public int countCorrect(float[] x, int[] y, int batch) {
        adapters.merge();
        try {
            return base.countCorrect(x, y, batch);
        } finally {
            adapters.restore();
        }
    }

    @Override public int inputSize() { return base.inputSize(); }
    @Override public int classes() { return base.classes(); }
    @Override public int maxBatch() { return base.maxBatch(); }
    @Override public List<Param> buffers() { return base.buffers(); }
    @Override public void setTraining(boolean training) { base.setTraining(training); }
}
