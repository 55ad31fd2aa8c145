package dopt.train;

import dopt.data.LabelledTexts;
import dopt.data.TextBatchLoader;
import dopt.nn.Batch;
import dopt.nn.Classifier;

/**
 * Held-out evaluation of a text classifier on texts, in chunks of the training batch
 * (the model's buffers are sized for it). Shared by the data-parallel text task, which evaluates
 * one rank's block of the test texts, and the in-process experiments, which evaluate all of them.
 */
public final class TextEvaluation {
    private TextEvaluation() {}

    /**
     * Sums over texts {@code lo..hi-1} of {@code test}: {@code {correct predictions, loss}}, the
     * loss summed per text. {@code tokens} ({@code batch·seqLen}) and {@code labels} ({@code batch})
     * are the caller's scratch buffers.
     */
    public static double[] sums(Classifier<Batch.Texts> model, LabelledTexts test, int lo, int hi, int batch, int seqLen,
                                int[] tokens, int[] labels) {
        double correct = 0, lossSum = 0;
        for (int i = lo; i < hi; i += batch) {
            int b = Math.min(batch, hi - i);
            for (int r = 0; r < b; r++) {
                TextBatchLoader.copy(test, i + r, seqLen, tokens, r * seqLen);
                labels[r] = test.label()[i + r];
            }
            Batch.Texts chunk = new Batch.Texts(tokens, labels, b, seqLen);
            correct += model.countCorrect(chunk);
            lossSum += (double) model.loss(chunk) * b;
        }
        return new double[] {correct, lossSum};
    }
}
