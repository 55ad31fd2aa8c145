package dopt.experiments;

import dopt.data.LabelledTexts;
import dopt.data.TextBatchLoader;
import dopt.nn.SequenceClassifier;
import dopt.random.Rng;
import dopt.tensor.Param;
import dopt.train.TextEvaluation;
import java.util.List;

/**
 * {@link SequenceClassifier#bytes} on the first {@code seqLen} bytes of each text, trained and
 * evaluated as {@code dopt.train.TextClassifierTask} does, in one process.
 */
final class ByteTextTask implements ClassificationTask {
    private final String label;
    private final LabelledTexts train, test;
    private final SequenceClassifier model;
    private final int batch, seqLen;
    private final int[] allTexts, tokens, labels;
    private TextBatchLoader loader;

    ByteTextTask(String label, LabelledTexts train, LabelledTexts test, int seqLen, int batch) {
        this.label = label;
        this.train = train;
        this.test = test;
        this.batch = batch;
        this.seqLen = seqLen;
        this.model = SequenceClassifier.bytes(train.classes(), seqLen, batch);
        this.allTexts = new int[train.n()];
        for (int i = 0; i < allTexts.length; i++) allTexts[i] = i;
        this.tokens = new int[batch * seqLen];
        this.labels = new int[batch];
    }

    @Override public String label() { return label; }
    @Override public List<Param> params() { return model.params(); }

    @Override
    public void reset(long seed) {
        model.init(Rng.derive(seed, 1));
        loader = new TextBatchLoader(train, allTexts, batch, seqLen, seed, 0);
    }

    @Override
    public float trainStep() {
        loader.next(tokens, labels);
        return model.forwardBackward(tokens, labels, batch, seqLen);
    }

    @Override
    public double[] evaluate() {
        int n = test.n();
        double[] sums = TextEvaluation.sums(model, test, 0, n, batch, seqLen, tokens, labels);
        return new double[] {sums[0] / n, sums[1] / n};
    }
}
