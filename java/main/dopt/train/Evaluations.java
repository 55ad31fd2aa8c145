package dopt.train;

import dopt.comm.Communicator;
import dopt.data.Dataset;
import dopt.data.LabelledTexts;
import dopt.data.TokenBatchLoader;
import dopt.nn.Batch;
import dopt.nn.Classifier;
import dopt.nn.Network;
import dopt.tensor.Dense;

/** The held-out evaluations of the three task families, each split across ranks and summed by allreduce. */
final class Evaluations {
    private Evaluations() { }

    /** Rows per evaluation chunk of an image or feature-row classifier. */
    static final int EVAL_BATCH = 500;

    /** Test accuracy and loss of a classifier on this rank's block of {@code test}'s rows. */
    static Task.Evaluation<Batch.Examples> examples(Dataset test) {
        return (network, comm) -> {
            Classifier<Batch.Examples> model = (Classifier<Batch.Examples>) network;
            int n = test.n(), dim = test.dim();
            int lo = Communicator.blockStart(n, comm.size(), comm.rank()), hi = Communicator.blockStart(n, comm.size(), comm.rank() + 1);
            float[] xb = new float[EVAL_BATCH * dim];
            int[] yb = new int[EVAL_BATCH];
            double correct = 0, lossSum = 0;
            model.setTraining(false); // BatchNorm normalises with its running statistics, as PyTorch's eval()
            for (int i = lo; i < hi; i += EVAL_BATCH) {
                int b = Math.min(EVAL_BATCH, hi - i);
                System.arraycopy(test.x(), i * dim, xb, 0, b * dim);
                System.arraycopy(test.y(), i, yb, 0, b);
                Batch.Examples chunk = new Batch.Examples(xb, yb, b);
                correct += model.countCorrect(chunk);
                lossSum += (double) model.loss(chunk) * b;
            }
            model.setTraining(true);
            return fractions(comm, correct, lossSum, n);
        };
    }

    /**
     * Test accuracy and loss of a pipelined classifier on all of {@code test}: the stages together are
     * one model, so every rank walks every row, in chunks of a micro-batch, forward through the
     * stages on the dense wire (chunk by chunk: the first stage reads the rows, the last compares
     * with the labels); the last stage's sums go to every rank.
     */
    static Task.Evaluation<Batch.Examples> pipelined(Dataset test) {
        return (network, comm) -> {
            StageNetwork net = (StageNetwork) network;
            dopt.nn.Stage stage = net.stage();
            int i = net.index(), k = net.stages(), rows = net.rows(), n = test.n(), dim = test.dim();
            dopt.pipeline.DenseCodec in = i > 0 ? new dopt.pipeline.DenseCodec(rows * stage.inputWidth()) : null;
            dopt.pipeline.DenseCodec out = i < k - 1 ? new dopt.pipeline.DenseCodec(rows * stage.outputWidth()) : null;
            float[] x = new float[rows * stage.inputWidth()];
            int[] y = new int[rows];
            double correct = 0, lossSum = 0;
            for (int lo = 0; lo < n; lo += rows) {
                int b = Math.min(rows, n - lo);
                if (i == 0) System.arraycopy(test.x(), lo * dim, x, 0, b * dim);
                else in.decode(comm.recv(i - 1, in.messageBytes()), x); // a short last chunk travels padded to a micro-batch
                float[] o = stage.forward(0, x, b);
                if (i < k - 1) {
                    comm.send(i + 1, out.encode(o));
                    continue;
                }
                System.arraycopy(test.y(), lo, y, 0, b);
                int c = stage.outputWidth();
                for (int r = 0; r < b; r++) if (Dense.argmax(o, r * c, c) == y[r]) correct++;
                lossSum += (double) stage.loss(0, y, b) * b;
            }
            return fractions(comm, correct, lossSum, n);
        };
    }

    /**
     * Next-token loss on the first {@code batches} batches of this rank's validation windows: the
     * same windows every time, as the loader is rewound first. Accuracy is NaN (perplexity = exp(loss)).
     */
    static Task.Evaluation<Batch.Windows> windows(TokenBatchLoader validation, int batches) {
        Batch.Windows b = new Batch.Windows(new int[validation.batch() * (validation.seqLen() + 1)], validation.batch(), validation.seqLen());
        return (model, comm) -> {
            long[] pos = validation.position();
            pos[0] = 0;
            pos[1] = 0;
            double sum = 0;
            for (int i = 0; i < batches; i++) {
                validation.next(b.tokens());
                sum += model.loss(b);
            }
            float[] s = {(float) sum, batches};
            comm.allreduceSum(s, 0, 2);
            return new double[] {Double.NaN, s[0] / s[1]};
        };
    }

    /** Accuracy and loss of a text classifier on this rank's block of the test texts, in chunks of the training batch. */
    static Task.Evaluation<Batch.Texts> texts(LabelledTexts test, int batch, int seqLen) {
        int[] tokens = new int[batch * seqLen], labels = new int[batch];
        return (network, comm) -> {
            int n = test.n();
            int lo = Communicator.blockStart(n, comm.size(), comm.rank()), hi = Communicator.blockStart(n, comm.size(), comm.rank() + 1);
            double[] sums = TextEvaluation.sums((Classifier<Batch.Texts>) network, test, lo, hi, batch, seqLen, tokens, labels);
            return fractions(comm, sums[0], sums[1], n);
        };
    }

    /** {correct / n, loss sum / n} over all ranks (float sums, as every report so far). */
    private static double[] fractions(Communicator comm, double correct, double lossSum, int n) {
        float[] acc = {(float) correct, (float) lossSum};
        comm.allreduceSum(acc, 0, 2);
        return new double[] {acc[0] / n, acc[1] / n};
    }

}
