package dopt.train;

import dopt.comm.Communicator;
import dopt.data.LabelledTexts;
import dopt.data.TextBatchLoader;
import dopt.nn.TokenClassifier;
import dopt.tensor.Param;
import java.util.List;

/**
 * Text classification (e-mails as bytes): a {@link TokenClassifier} on the first {@code seqLen}
 * bytes of each text; held-out accuracy and loss on the test texts, split across ranks.
 */
final class TextClassifierTask implements Task {
    private final TokenClassifier model;
    private final LabelledTexts train, test;
    private final TextBatchLoader loader;
    private final int batch, seqLen;
    private final int[] tokens, labels;
    private final String description;

    TextClassifierTask(TokenClassifier model, LabelledTexts train, LabelledTexts test, TextBatchLoader loader, int batch, int seqLen,
                       String description) {
        this.model = model;
        this.train = train;
        this.test = test;
        this.loader = loader;
        this.batch = batch;
        this.seqLen = seqLen;
        this.tokens = new int[batch * seqLen];
        this.labels = new int[batch];
        this.description = description;
    }

    @Override public void init(dopt.random.Rng rng) { model.init(rng); }
    @Override public List<Param> params() { return model.params(); }
    @Override public long[] loaderPosition() { return loader.position(); }
    @Override public String dataName() { return train.name(); }
    @Override public String describe() { return description; }

    @Override
    public float forwardBackward() {
        loader.next(tokens, labels);
        return model.forwardBackward(tokens, labels, batch, seqLen);
    }

    /** This rank's block of the test texts, summed over ranks. */
    @Override
    public double[] evaluate(Communicator comm) {
        int n = test.n(), lo = Communicator.blockStart(n, comm.size(), comm.rank()), hi = Communicator.blockStart(n, comm.size(), comm.rank() + 1);
        double[] sums = TextEvaluation.sums(model, test, lo, hi, batch, seqLen, tokens, labels);
        float[] acc = {(float) sums[0], (float) sums[1]};
        comm.allreduceSum(acc, 0, 2);
        return new double[] {acc[0] / n, acc[1] / n};
    }
}
