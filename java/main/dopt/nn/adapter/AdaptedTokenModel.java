package dopt.nn.adapter;

import dopt.nn.TokenModel;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * A language model fine-tuned through adapters: the same {@link TokenModel} contract, but
 * {@link #params()} are the adapter matrices only and the base model's weights stay frozen. Each
 * call merges the adapters into the base weights, runs the base model's own forward (and backward),
 * maps the weight gradients to the adapters and restores the frozen weights (see {@link Adapter});
 * this wrapper rather than a hook inside {@link dopt.nn.TransformerLm} keeps the model's code and
 * its tests untouched and works for any model whose weights are [out × in] {@link Param}s.
 * Parameters that are not adapted (embedding, norms, head) are frozen too, as in LoRA.
 */
public final class AdaptedTokenModel implements TokenModel {
    private final TokenModel base;
    private final AdapterSet adapters;

    public AdaptedTokenModel(TokenModel base, AdapterSet adapters) {
        this.base = base;
        this.adapters = adapters;
    }

    public TokenModel base() { return base; }
    public AdapterSet adapters() { return adapters; }

    @Override public List<Param> params() { return adapters.params(); }

    /** Re-initialises the adapters; the base weights are not touched. */
    @Override public void init(Rng rng) { adapters.reset(rng); }

    @Override
    public float forwardBackward(int[] tokens, int batch, int seqLen) {
        adapters.merge();
        try {
            float loss = base.forwardBackward(tokens, batch, seqLen);
            adapters.backward();
            return loss;
        } finally {
            adapters.restore();
        }
    }

    @Override
    public float loss(int[] tokens, int batch, int seqLen) {
        adapters.merge();
        try {
            return base.loss(tokens, batch, seqLen);
        } finally {
            adapters.restore();
        }
    }

    @Override public int vocabSize() { return base.vocabSize(); }
    @Override public int maxSeqLen() { return base.maxSeqLen(); }
    @Override public int maxBatch() { return base.maxBatch(); }
}
