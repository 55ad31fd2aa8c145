package dopt.experiments.clients;

import dopt.data.Dataset;
import dopt.data.Sharding;
import dopt.nn.Model;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * A {@link Model} trained on a data set split i.i.d. over clients ({@link Sharding}, "iid"):
 * fᵢ(x) = the model's mean loss on client i's shard + λ Σⱼ xⱼ²/(1 + xⱼ²). x is the model's
 * parameters flattened in {@link Model#params()} order. With {@code batch = 0} each client returns
 * its full local gradient; otherwise a mini-batch gradient, batches drawn without replacement
 * from a per-client shuffle that is redrawn every local epoch.
 *
 * <p>The optional non-convex regulariser is the one of the EF21 experiments (Richtárik, Sokolov
 * and Fatkhullin 2021, Section 5, logistic regression with λ Σ xⱼ²/(1 + xⱼ²)), which the ‖EF21‖
 * paper's logistic-regression experiments also use; λ = 0 switches it off.
 *
 * <p>One model is shared by all clients: its parameters are overwritten from x before every
 * gradient, which costs d copies against the forward and backward passes. Evaluation runs in
 * chunks of {@link Model#maxBatch()} rows, so shards and test sets of any size work.
 */
public final class ModelOnClients implements ClientProblem {
    private final Model model;
    private final List<Param> params;
    private final int dim, clients, batch, inDim;
    private final double lambda;
    private final float[][] xs;
    private final int[][] ys;
    private final int[][] order;
    private final int[] cursor;
    private final Rng[] rngs;
    private final Dataset test;
    private final float[] x0, bx;
    private final int[] by;
    private final String name;

    /**
     * {@code model} already initialised (its parameters are x⁰); {@code train} split over
     * {@code clients} clients by {@code seed}; {@code test} may be null.
     */
    public ModelOnClients(String name, Model model, Dataset train, Dataset test, int clients, int batch, double lambda, long seed) {
        if (clients < 1) throw new IllegalArgumentException("clients must be >= 1: " + clients);
        if (batch < 0) throw new IllegalArgumentException("batch must be >= 0 (0 = full local gradients): " + batch);
        if (!(lambda >= 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException("regulariser lambda must be finite and >= 0: " + lambda);
        if (train.dim() != model.inputSize()) throw new IllegalArgumentException(train.name() + " has " + train.dim() + " features, the model takes " + model.inputSize());
        if (batch > model.maxBatch()) throw new IllegalArgumentException("batch " + batch + " > the model's maxBatch " + model.maxBatch());
        this.name = name;
        this.model = model;
        this.params = model.params();
        this.clients = clients;
        this.batch = batch;
        this.lambda = lambda;
        this.test = test;
        this.inDim = train.dim();
        int d = 0;
        for (Param p : params) d += p.size();
        this.dim = d;
        x0 = new float[d];
        copyOut(x0, false);
        xs = new float[clients][];
        ys = new int[clients][];
        order = new int[clients][];
        cursor = new int[clients];
        rngs = new Rng[clients];
        for (int c = 0; c < clients; c++) {
            int[] rows = Sharding.shard(train.y(), train.classes(), clients, c, "iid", 0, seed);
            if (rows.length == 0) throw new IllegalArgumentException(train.n() + " rows are too few for " + clients + " clients");
            if (batch > rows.length) throw new IllegalArgumentException("batch " + batch + " > client " + c + "'s " + rows.length + " rows");
            xs[c] = new float[rows.length * inDim];
            ys[c] = new int[rows.length];
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(train.x(), rows[r] * inDim, xs[c], r * inDim, inDim);
                ys[c][r] = train.y()[rows[r]];
            }
            order[c] = new int[rows.length];
            for (int r = 0; r < rows.length; r++) order[c][r] = r;
            rngs[c] = Rng.derive(seed, 0xBA7C, c);
            cursor[c] = rows.length; // shuffle before the first batch
        }
        int chunk = model.maxBatch();
        bx = new float[chunk * inDim];
        by = new int[chunk];
    }

    @Override public int dim() { return dim; }
    @Override public int clients() { return clients; }
    @Override public void start(float[] x) { System.arraycopy(x0, 0, x, 0, dim); }

    @Override
    public double gradient(int client, float[] x, float[] grad) {
        load(x);
        double loss;
        if (batch == 0) {
            int n = ys[client].length;
            if (n > model.maxBatch()) throw new IllegalStateException("full local gradients need maxBatch >= " + n);
            loss = model.forwardBackward(xs[client], ys[client], n);
        } else {
            fillBatch(client);
            loss = model.forwardBackward(bx, by, batch);
        }
        copyOut(grad, true);
        return loss + regularise(x, grad);
    }

    private void fillBatch(int c) {
        int[] ord = order[c];
        for (int k = 0; k < batch; k++) {
            if (cursor[c] == ord.length) {
                rngs[c].shuffle(ord);
                cursor[c] = 0;
            }
            int r = ord[cursor[c]++];
            System.arraycopy(xs[c], r * inDim, bx, k * inDim, inDim);
            by[k] = ys[c][r];
        }
    }

    /** Adds λ·2xⱼ/(1 + xⱼ²)² to grad and returns λ Σ xⱼ²/(1 + xⱼ²). */
    private double regularise(float[] x, float[] grad) {
        if (lambda == 0) return 0;
        double r = 0;
        for (int j = 0; j < dim; j++) {
            double q = 1 + (double) x[j] * x[j];
            r += x[j] * (double) x[j] / q;
            grad[j] += (float) (lambda * 2 * x[j] / (q * q));
        }
        return lambda * r;
    }

    @Override
    public double loss(float[] x) {
        load(x);
        double total = 0;
        for (int c = 0; c < clients; c++) total += evaluate(xs[c], ys[c], false) / ys[c].length;
        double r = 0;
        for (int j = 0; j < dim; j++) r += x[j] * (double) x[j] / (1 + (double) x[j] * x[j]);
        return total / clients + lambda * r;
    }

    @Override
    public double testAccuracy(float[] x) {
        if (test == null) return Double.NaN;
        load(x);
        return evaluate(test.x(), test.y(), true) / test.n();
    }

    /** Summed loss (or count correct) over all rows, in chunks of maxBatch copied into the batch buffer. */
    private double evaluate(float[] rowsX, int[] rowsY, boolean correct) {
        int n = rowsY.length, chunk = model.maxBatch();
        double sum = 0;
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int m = Math.min(chunk, n - r0);
            System.arraycopy(rowsX, r0 * inDim, bx, 0, m * inDim);
            System.arraycopy(rowsY, r0, by, 0, m);
            sum += correct ? model.countCorrect(bx, by, m) : (double) model.loss(bx, by, m) * m;
        }
        return sum;
    }

    private void load(float[] x) {
        int off = 0;
        for (Param p : params) {
            System.arraycopy(x, off, p.value(), 0, p.size());
            off += p.size();
        }
    }

    private void copyOut(float[] out, boolean grads) {
        int off = 0;
        for (Param p : params) {
            System.arraycopy(grads ? p.grad() : p.value(), 0, out, off, p.size());
            off += p.size();
        }
    }

    @Override
    public String describe() {
        return name + ": " + dim + " parameters, " + clients + " clients with " + ys[0].length + " rows each, "
                + (batch == 0 ? "full local gradients" : "mini-batches of " + batch)
                + (lambda > 0 ? ", non-convex regulariser lambda = " + lambda : "");
    }
}
