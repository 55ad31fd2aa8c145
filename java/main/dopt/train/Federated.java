package dopt.train;

import dopt.comm.Communicator;
import dopt.job.Job;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import dopt.io.TraceData;
import java.util.List;
import java.util.Map;

/**
 * Federated learning as a policy of the round loop (FedAvg, McMahan et al. 2017; the server
 * optimizers of FedOpt, Reddi et al. 2021), in the shape of Flower's {@code Strategy}:
 * {@link ClientSampling} is {@code configure_fit}, the clients' local work is {@code fit}, and the
 * {@link RoundAggregation} and {@link ServerOptimizer} are {@code aggregate_fit}.
 *
 * <p>One step of the loop is one round, and every round is an agreed step ({@code steps} counts
 * rounds; checkpoints and evaluation fall between rounds). Per round every rank runs, one after
 * another, the sampled clients it hosts: each starts from the global model x, takes H steps of its own
 * optimizer on its own batches, and hands its model xᵢ to the {@link RoundAggregation} of the job's
 * {@code federated.aggregation}: FedAvg's data-size-weighted mean delta Δ = Σ nᵢ(xᵢ − x) / Σ nᵢ,
 * local-only training (the target's own delta), or MeritFed's learned weights. Its one collective also
 * sums the local losses and the stop votes over the ranks, and every rank applies the same server step to Δ.
 *
 * <p>A client is state, not a rank: under {@code ranks/<r>/clients/<i>/} (r its host) the state tree holds its loader
 * position, its optimizer's state and an RNG for client-side randomness, so a run resumed at round
 * k continues every client exactly. The loop's own batch is not drawn ({@link #drawsOwnBatches}); the
 * trace's rank-local loss is the mean over the local steps of the clients the rank ran.
 */
final class Federated implements ExchangePolicy {
    private final List<Param> params;
    private final Task<?> task;
    private final ClientBatches clients;
    private final ClientSampling sampling;
    private final ServerOptimizer server;
    private final RoundAggregation aggregation;
    private final Optimizer[] optimizers;
    private final int h, n;
    /** The global model at the start of the round; a client's model after its local work; Σ losses and stop votes. */
    private final float[] global, local, control = new float[RoundAggregation.CONTROL];
    private final StepOutcome outcome = new StepOutcome();

    private Federated(Job job, Communicator comm, List<Param> params, Task<?> task, ClientBatches clients, StateTree state) {
        Job.Federated f = job.federated;
        this.params = params;
        this.task = task;
        this.clients = clients;
        this.h = f.localSteps;
        this.n = Flat.length(params);
        this.global = new float[n];
        this.local = new float[n];
        this.sampling = new ClientSampling(job.seed, f.clients, f.sampled());
        this.server = new ServerOptimizer(f, n, state);
        this.aggregation = switch (f.aggregation) {
            case FEDAVG -> new WeightedMeanAggregation(comm, n, -1);
            case LOCAL -> new WeightedMeanAggregation(comm, n, f.targetClient);
            case MERITFED -> new MeritFedAggregation(job, comm, params, task, clients, state);
        };
        this.optimizers = new Optimizer[f.clients];
        int r = comm.rank();
        for (int c = 0; c < f.clients; c++) {
            if (!clients.hosts(c)) continue;
            // the client's schedule runs over its local steps: round s, local step j is step (s-1)·H + j
            optimizers[c] = Optimizers.build(job.optimizer, job.steps * h, job.seed, params, state, clientPath(r, c, "optim"));
            state.putLongs(clientPath(r, c, "loader"), clients.position(c));
            state.putLongs(clientPath(r, c, "rng"), Rng.derive(job.seed, 4, c).state());
        }
    }

    /** The federated policy of {@code job} over {@code task}, whose batches must be {@link ClientBatches}. */
    static Federated forJob(Job job, Communicator comm, List<Param> params, Task<?> task, StateTree state) {
        if (!(task.batches() instanceof ClientBatches cb))
            throw new IllegalStateException("a federated job's task must draw client batches");
        return new Federated(job, comm, params, task, cb, state);
    }

    /**
     * Where client {@code client}'s state lives: under its host rank's subtree, which the checkpoint
     * gathers from that rank (the tree outside {@code ranks/} is written from rank 0 alone).
     */
    static String clientPath(int rank, int client, String leaf) { return Replica.rankPath(rank, "clients/" + client + "/" + leaf); }

    @Override
    public boolean drawsOwnBatches() { return true; }

    @Override
    public StepOutcome step(long s, float localLoss, boolean stopVote, UpdateGuard guard) {
        outcome.reset();
        int[] sampled = sampling.sample(s);
        Flat.gather(params, Flat.VALUE, global);
        aggregation.begin(sampled);
        double lossSum = 0;
        int ran = 0, trained = 0;
        for (int c : sampled) {
            if (!aggregation.trains(c)) continue;
            trained++;
            if (!clients.hosts(c)) continue;
            ran++;
            Flat.scatter(global, params, Flat.VALUE);
            clients.select(c);
            for (int j = 1; j <= h; j++) {
                lossSum += task.forwardBackward();
                optimizers[c].step((s - 1) * h + j);
            }
            Flat.gather(params, Flat.VALUE, local);
            aggregation.add(c, global, local, clients.size(c));
        }
        if (ran > 0) outcome.localLoss = (float) (lossSum / ((long) ran * h));
        control[0] = (float) lossSum;
        control[1] = stopVote ? 1f : 0f;
        float[] delta = aggregation.aggregate(s, global, control);
        outcome.commNanos = aggregation.commNanos();
        double norm2 = 0;
        for (int k = 0; k < n; k++) norm2 += (double) delta[k] * delta[k];
        outcome.agreed = true;
        outcome.agreedLoss = control[0] / ((float) trained * h);
        outcome.stop = control[1] > 0;
        // the norm of the pseudo-gradient, the mean delta: what the server step applies
        outcome.gradNorm = (float) Math.sqrt(norm2);
        outcome.lr = (float) optimizers[firstHosted()].lr((s - 1) * h + 1);
        outcome.veto = guard.veto(s, outcome.agreedLoss, outcome.gradNorm);
        if (outcome.veto == null) server.apply(global, delta, n);
        Flat.scatter(global, params, Flat.VALUE);
        return outcome;
    }

    private int firstHosted() {
        for (int c = 0; c < optimizers.length; c++) if (optimizers[c] != null) return c;
        throw new IllegalStateException("this rank hosts no client");
    }

    /** The clients this rank hosts, their optimizers' state, plus the server optimizer's and the aggregation's (every rank holds a copy). */
    @Override
    public java.util.OptionalLong optimizerStateBytes() {
        long b = server.stateBytes() + aggregation.stateBytes();
        for (Optimizer o : optimizers) if (o != null) b += o.stateBytes();
        return java.util.OptionalLong.of(b);
    }

    @Override
    public Map<String, TraceData.Floats> traceTables(int rounds) { return aggregation.traceTables(rounds); }

    @Override
    public String describe() {
        return "federated: " + optimizers.length + " clients, " + sampling.perRound() + " per round, H = " + h + " local steps, "
                + aggregation.describe() + ", " + server.describe();
    }
}
