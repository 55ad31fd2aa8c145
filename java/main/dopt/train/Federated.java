package dopt.train;

import dopt.comm.Communicator;
import dopt.job.Job;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.Arrays;
import java.util.List;

/**
 * Federated learning as a policy of the round loop (FedAvg, McMahan et al. 2017; the server
 * optimizers of FedOpt, Reddi et al. 2021), in the shape of Flower's {@code Strategy}:
 * {@link ClientSampling} is {@code configure_fit}, the clients' local work is {@code fit}, and the
 * weighted sum, allreduce and {@link ServerOptimizer} are {@code aggregate_fit}.
 *
 * <p>One step of the loop is one round, and every round is an agreed step ({@code steps} counts
 * rounds; checkpoints and evaluation fall between rounds). Per round every rank runs, one after
 * another, the sampled clients it hosts: each starts from the global model x, takes H steps of its own
 * optimizer on its own batches, and adds nᵢ·(xᵢ − x) to this rank's sum (nᵢ: its shard's size). One
 * allreduce adds the sums, the weights, the local losses and the stop votes over the ranks, and every
 * rank applies the same server step to Δ = Σ nᵢ(xᵢ − x) / Σ nᵢ.
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
    private final Communicator comm;
    private final ClientSampling sampling;
    private final ServerOptimizer server;
    private final Optimizer[] optimizers;
    private final int h, n;
    /** The global model at the start of the round; the summed weighted deltas, then Σ nᵢ, Σ losses, stop votes. */
    private final float[] global, sum, local;
    private final StepOutcome outcome = new StepOutcome();

    private Federated(Job job, Communicator comm, List<Param> params, Task<?> task, ClientBatches clients, StateTree state) {
        Job.Federated f = job.federated;
        this.params = params;
        this.task = task;
        this.clients = clients;
        this.comm = comm;
        this.h = f.localSteps;
        this.n = Flat.length(params);
        this.global = new float[n];
        this.local = new float[n];
        this.sum = new float[n + 3];
        this.sampling = new ClientSampling(job.seed, f.clients, f.sampled());
        this.server = new ServerOptimizer(f, n, state);
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
        Arrays.fill(sum, 0f);
        double lossSum = 0;
        int ran = 0;
        for (int c : sampled) {
            if (!clients.hosts(c)) continue;
            ran++;
            Flat.scatter(global, params, Flat.VALUE);
            clients.select(c);
            for (int j = 1; j <= h; j++) {
                lossSum += task.forwardBackward();
                optimizers[c].step((s - 1) * h + j);
            }
            Flat.gather(params, Flat.VALUE, local);
            float w = clients.size(c);
            for (int k = 0; k < n; k++) sum[k] += w * (local[k] - global[k]);
            sum[n] += w;
        }
        if (ran > 0) outcome.localLoss = (float) (lossSum / ((long) ran * h));
        sum[n + 1] = (float) lossSum;
        sum[n + 2] = stopVote ? 1f : 0f;
        long t0 = System.nanoTime();
        comm.allreduceSum(sum, 0, n + 3);
        outcome.commNanos = System.nanoTime() - t0;
        float weights = sum[n];
        double norm2 = 0;
        for (int k = 0; k < n; k++) {
            sum[k] /= weights;
            norm2 += (double) sum[k] * sum[k];
        }
        outcome.agreed = true;
        outcome.agreedLoss = sum[n + 1] / ((float) sampled.length * h);
        outcome.stop = sum[n + 2] > 0;
        // the norm of the pseudo-gradient, the mean delta: what the server step applies
        outcome.gradNorm = (float) Math.sqrt(norm2);
        outcome.lr = (float) optimizers[firstHosted()].lr((s - 1) * h + 1);
        outcome.veto = guard.veto(s, outcome.agreedLoss, outcome.gradNorm);
        if (outcome.veto == null) server.apply(global, sum, n);
        Flat.scatter(global, params, Flat.VALUE);
        return outcome;
    }

    private int firstHosted() {
        for (int c = 0; c < optimizers.length; c++) if (optimizers[c] != null) return c;
        throw new IllegalStateException("this rank hosts no client");
    }

    @Override
    public String describe() {
        return "federated: " + optimizers.length + " clients, " + sampling.perRound() + " per round, H = " + h + " local steps, "
                + server.describe();
    }
}
