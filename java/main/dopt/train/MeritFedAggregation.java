package dopt.train;

import dopt.comm.Communicator;
import dopt.io.TraceData;
import dopt.job.Job;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * MeritFed (Tupitsa et al. 2024): Δ = Σⱼ wⱼΔⱼ with weights on the simplex that {@link MeritFedWeights}
 * learns each round for the target client. Every client takes part in every round (the weights are
 * over all of them). One allreduce gives every rank every client's delta (a rank fills the rows of
 * the clients it ran, the others are zero, and x + 0 = x exactly, so the sum is a gather); then every
 * rank runs the same mirror descent on the same validation batches of the target (a loader every rank
 * holds, at the same position), so the weights and the models agree without a second collective.
 *
 * <p>State: the weights under {@code server/meritfed/weights} (uniform at the start, carried from
 * round to round), the validation loader's position under {@code server/meritfed/loader}, and the
 * weights after every round under {@code server/meritfed/history} [round × client], which the trace
 * writes as {@code /federated/weights}.
 */
final class MeritFedAggregation implements RoundAggregation {
    /** Where the trace file holds the weights after each round. */
    static final String TRACE_TABLE = "federated/weights";

    private final Communicator comm;
    private final Task<?> task;
    private final List<Param> params;
    private final ClientBatches batches;
    private final int n, clients, validationBatches;
    private final MeritFedWeights weights;
    private final float[] history;
    /** Every client's delta (row j = client j), then the control values. */
    private final float[] rows;
    private final float[] delta, batchGrad;
    private final String description;
    private long commNanos;

    MeritFedAggregation(Job job, Communicator comm, List<Param> params, Task<?> task, ClientBatches batches, StateTree state) {
        Job.Federated f = job.federated;
        Job.MeritFed m = f.meritfedOrDefault();
        this.comm = comm;
        this.task = task;
        this.params = params;
        this.batches = batches;
        this.n = Flat.length(params);
        this.clients = f.clients;
        this.validationBatches = m.validationBatches;
        long cells = (long) clients * n + CONTROL;
        if (cells > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("meritfed gathers every client's delta: " + clients + " clients x " + n
                    + " parameters do not fit one buffer");
        this.rows = new float[(int) cells];
        this.delta = new float[n];
        this.batchGrad = new float[n];
        double[] w = new double[clients];
        Arrays.fill(w, 1.0 / clients);
        this.weights = new MeritFedWeights(state.putDoubles("server/meritfed/weights", w, clients), (float) f.serverLr, m.mdLr,
                m.mdSteps, n);
        state.putLongs("server/meritfed/loader", batches.validationPosition());
        this.description = "MeritFed for client " + f.targetClient + " (" + m.mdSteps + " mirror-descent steps, md_lr " + m.mdLr + ", "
                + m.validationBatches + " validation batch(es) a step)";
        this.history = state.putFloats("server/meritfed/history", new float[job.steps * clients], job.steps, clients);
    }

    @Override public boolean trains(int client) { return true; }

    @Override
    public void begin(int[] sampled) {
        if (sampled.length != clients) throw new IllegalStateException("meritfed takes every client every round, got " + sampled.length);
        Arrays.fill(rows, 0f);
    }

    @Override
    public void add(int client, float[] global, float[] local, int size) {
        for (int k = 0, o = client * n; k < n; k++) rows[o + k] = local[k] - global[k];
    }

    @Override
    public float[] aggregate(long round, float[] global, float[] control) {
        int c = clients * n;
        System.arraycopy(control, 0, rows, c, CONTROL);
        long t0 = System.nanoTime();
        comm.allreduceSum(rows, 0, rows.length);
        commNanos = System.nanoTime() - t0;
        System.arraycopy(rows, c, control, 0, CONTROL);
        weights.solve(global, rows, this::targetGradient);
        weights.combine(rows, delta);
        double[] w = weights.weights();
        for (int j = 0; j < clients; j++) history[(int) (round - 1) * clients + j] = (float) w[j];
        return delta;
    }

    /** The mean gradient of the target's loss over the next validation batches, at the model {@code y}. */
    private void targetGradient(float[] y, float[] out) {
        Flat.scatter(y, params, Flat.VALUE);
        batches.selectValidation();
        Arrays.fill(out, 0f);
        for (int b = 0; b < validationBatches; b++) {
            task.forwardBackward();
            Flat.gather(params, Flat.GRAD, batchGrad);
            for (int k = 0; k < n; k++) out[k] += batchGrad[k];
        }
        if (validationBatches > 1) for (int k = 0; k < n; k++) out[k] /= validationBatches;
    }

    @Override public long commNanos() { return commNanos; }

    @Override
    public Map<String, TraceData.Floats> traceTables(int rounds) {
        float[][] t = new float[rounds][clients];
        for (int r = 0; r < rounds; r++) System.arraycopy(history, r * clients, t[r], 0, clients);
        return Map.of(TRACE_TABLE, new TraceData.Floats(t, "aggregation weight of each client (columns) after the round, on the simplex"));
    }

    @Override public long stateBytes() { return 8L * clients + 4L * history.length + 16; }

    @Override public String describe() { return description; }
}
