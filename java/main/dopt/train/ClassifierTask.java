package dopt.train;

import dopt.comm.Communicator;
import dopt.data.BatchLoader;
import dopt.data.Dataset;
import dopt.nn.Model;
import dopt.tensor.Param;
import java.util.List;

/** Classification: a {@link Model} on a labelled data set, this rank's shard, test accuracy and loss. */
final class ClassifierTask implements Task {
    static final int EVAL_BATCH = 500;

    private Model model;
    private final List<Param> weights;
    private final Dataset train, test;
    private final BatchLoader loader;
    private final String description;
    private final float[] x;
    private final int[] y;
    private final int batch;

    ClassifierTask(Model model, Dataset train, Dataset test, BatchLoader loader, int batch, String description) {
        this.model = model;
        this.weights = model.params();
        this.train = train;
        this.test = test;
        this.loader = loader;
        this.batch = batch;
        this.description = description;
        this.x = new float[batch * train.dim()];
        this.y = new int[batch];
    }

    @Override
    public void init(dopt.random.Rng rng) { model.init(rng); }

    @Override public List<Param> params() { return model.params(); }
    @Override public List<Param> weights() { return weights; }
    @Override public int batchSize() { return batch; }

    @Override
    public void adapt(dopt.nn.adapter.AdapterSet adapters) {
        if (model instanceof dopt.nn.adapter.AdaptedModel) throw new IllegalStateException("already adapted");
        model = new dopt.nn.adapter.AdaptedModel(model, adapters);
    }

    @Override
    public Runnable sampleGradient(long seed) {
        BatchLoader sample = loader.reseeded(seed);
        Model base = model;
        float[] xs = new float[x.length];
        int[] ys = new int[y.length];
        return () -> {
            sample.next(xs, ys);
            base.forwardBackward(xs, ys, batch);
        };
    }
    @Override public List<Param> buffers() { return model.buffers(); }
    @Override public long[] loaderPosition() { return loader.position(); }
    @Override public String dataName() { return train.name(); }
    @Override public String describe() { return description; }

    @Override
    public float forwardBackward() {
        loader.next(x, y);
        return model.forwardBackward(x, y, batch);
    }

    @Override
    public double[] evaluate(Communicator comm) {
        int n = test.n(), dim = test.dim(), ranks = comm.size(), rank = comm.rank();
        int lo = Communicator.blockStart(n, ranks, rank), hi = Communicator.blockStart(n, ranks, rank + 1);
        float[] xb = new float[EVAL_BATCH * dim];
        int[] yb = new int[EVAL_BATCH];
        double correct = 0, lossSum = 0;
        model.setTraining(false); // BatchNorm normalises with its running statistics, as PyTorch's eval()
        for (int i = lo; i < hi; i += EVAL_BATCH) {
            int b = Math.min(EVAL_BATCH, hi - i);
            System.arraycopy(test.x(), i * dim, xb, 0, b * dim);
            System.arraycopy(test.y(), i, yb, 0, b);
            correct += model.countCorrect(xb, yb, b);
            lossSum += (double) model.loss(xb, yb, b) * b;
        }
        model.setTraining(true);
        float[] acc = {(float) correct, (float) lossSum};
        comm.allreduceSum(acc, 0, 2);
        return new double[] {acc[0] / n, acc[1] / n};
    }
}
