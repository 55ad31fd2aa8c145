package dopt.experiments;

import dopt.data.BatchLoader;
import dopt.data.Dataset;
import dopt.nn.Mlp;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/** An {@link Mlp} on an image data set (flattened pixels), mini-batches from a seeded {@link BatchLoader}. */
final class MlpImageTask implements ClassificationTask {
    private final String label;
    private final Dataset train, test;
    private final Mlp model;
    private final int batch;
    private final int[] allRows;
    private final float[] x;
    private final int[] y;
    private BatchLoader loader;

    MlpImageTask(String label, Dataset train, Dataset test, int[] hidden, int batch) {
        if (train.dim() != test.dim()) throw new IllegalArgumentException("train and test dims differ: " + train.dim() + " vs " + test.dim());
        this.label = label;
        this.train = train;
        this.test = test;
        this.batch = batch;
        this.model = new Mlp(train.dim(), hidden, train.classes(), batch);
        this.allRows = new int[train.n()];
        for (int i = 0; i < allRows.length; i++) allRows[i] = i;
        this.x = new float[batch * train.dim()];
        this.y = new int[batch];
    }

    @Override public String label() { return label; }
    @Override public List<Param> params() { return model.params(); }

    @Override
    public void reset(long seed) {
        model.init(Rng.derive(seed, 1));
        loader = new BatchLoader(train, allRows, batch, seed, 0);
    }

    @Override
    public float trainStep() {
        loader.next(x, y);
        return model.forwardBackward(x, y, batch);
    }

    /** In chunks of the training batch (the model's buffers are sized for it). */
    @Override
    public double[] evaluate() {
        int dim = test.dim(), n = test.n();
        double correct = 0, lossSum = 0;
        for (int i = 0; i < n; i += batch) {
            int b = Math.min(batch, n - i);
            System.arraycopy(test.x(), i * dim, x, 0, b * dim);
            System.arraycopy(test.y(), i, y, 0, b);
            correct += model.countCorrect(x, y, b);
            lossSum += (double) model.loss(x, y, b) * b;
        }
        return new double[] {correct / n, lossSum / n};
    }
}
