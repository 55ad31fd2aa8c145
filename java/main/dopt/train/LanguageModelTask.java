package dopt.train;

import dopt.comm.Communicator;
import dopt.data.TextCorpus;
import dopt.data.TokenBatchLoader;
import dopt.nn.TokenModel;
import dopt.tensor.Param;
import java.util.List;

/**
 * Next-token language modelling: a {@link TokenModel} on windows of a text corpus; held-out loss
 * on the validation part's windows, split across ranks (perplexity = exp(loss)).
 */
final class LanguageModelTask implements Task {
    private TokenModel model;
    private final List<Param> weights;
    private final TextCorpus corpus;
    private final TokenBatchLoader loader, validation;
    private final int batch, seqLen, validationBatches;
    private final int[] tokens;
    private final String description;

    LanguageModelTask(TokenModel model, TextCorpus corpus, TokenBatchLoader loader, TokenBatchLoader validation,
                      int validationBatches, String description) {
        this.model = model;
        this.weights = model.params();
        this.corpus = corpus;
        this.loader = loader;
        this.validation = validation;
        this.batch = loader.batch();
        this.seqLen = loader.seqLen();
        this.validationBatches = validationBatches;
        this.tokens = new int[batch * (seqLen + 1)];
        this.description = description;
    }

    @Override
    public void init(dopt.random.Rng rng) { model.init(rng); }

    @Override public List<Param> params() { return model.params(); }
    @Override public List<Param> weights() { return weights; }
    @Override public int batchSize() { return batch; }

    @Override
    public void adapt(dopt.nn.adapter.AdapterSet adapters) {
        if (model instanceof dopt.nn.adapter.AdaptedTokenModel) throw new IllegalStateException("already adapted");
        model = new dopt.nn.adapter.AdaptedTokenModel(model, adapters);
    }

    @Override
    public Runnable sampleGradient(long seed) {
        TokenBatchLoader sample = loader.reseeded(seed);
        TokenModel base = model;
        int[] t = new int[tokens.length];
        return () -> {
            sample.next(t);
            base.forwardBackward(t, batch, seqLen);
        };
    }
    @Override public long[] loaderPosition() { return loader.position(); }
    @Override public String dataName() { return corpus.name() + "-train"; }
    @Override public String describe() { return description; }

    @Override
    public java.util.Map<String, Object> baselines() {
        double unigram = corpus.unigramValidationLoss();
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("unigram baseline loss", String.format(java.util.Locale.ROOT, "%.4f (perplexity %.2f; train-part token frequencies)",
                unigram, Math.exp(unigram)));
        m.put("unigram_baseline_loss", unigram);
        return m;
    }

    @Override
    public float forwardBackward() {
        loader.next(tokens);
        return model.forwardBackward(tokens, batch, seqLen);
    }

    /** The same validation windows every time: the validation loader is rewound first. */
    @Override
    public double[] evaluate(Communicator comm) {
        long[] pos = validation.position();
        pos[0] = 0;
        pos[1] = 0;
        double sum = 0;
        for (int i = 0; i < validationBatches; i++) {
            validation.next(tokens);
            sum += model.loss(tokens, batch, seqLen);
        }
        float[] s = {(float) sum, validationBatches};
        comm.allreduceSum(s, 0, 2);
        return new double[] {Double.NaN, s[0] / s[1]};
    }
}
