package dopt.train;

import dopt.comm.Communicator;
import dopt.compress.TopK;
import dopt.job.Job;
import dopt.nn.Batch;
import dopt.optim.GlobalNorm;
import dopt.optim.Optimizer;
import dopt.pipeline.CompressedCodec;
import dopt.pipeline.DenseCodec;
import dopt.pipeline.Schedule;
import dopt.pipeline.StagePipeline;
import dopt.pipeline.WireCodec;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * Pipeline model parallelism as the round engine's exchange: each rank is one stage of the model
 * ({@link StageNetwork}); a step draws the batch (every stage draws the same one, so labels need not
 * travel), runs the schedule's forwards and backwards over its micro-batches through {@link
 * StagePipeline}, agrees with the other stages on the loss (the last stage's), the stop vote and the
 * global gradient norm in one allreduce, and applies this stage's optimizer to this stage's
 * parameters.
 *
 * <p>Why the policy draws its batches ({@link #drawsOwnBatches}): the loop's usual order, gradients
 * first and the exchange after, does not fit a pipeline, whose gradients only exist once the stages
 * have exchanged activations and their gradients; the forward and backward passes are the exchange.
 */
final class Pipeline implements ExchangePolicy {
    private final StagePipeline stages;
    private final Batches<Batch.Examples> batches;
    private final List<Param> params;
    private final Optimizer optimizer;
    private final Communicator comm;
    private final boolean last;
    private final String description;
    private final float[] agreed = new float[3];
    private final StepOutcome outcome = new StepOutcome();

    Pipeline(StagePipeline stages, Batches<Batch.Examples> batches, List<Param> params, Optimizer optimizer, Communicator comm,
             boolean last, String description) {
        this.stages = stages;
        this.batches = batches;
        this.params = params;
        this.optimizer = optimizer;
        this.comm = comm;
        this.last = last;
        this.description = description;
    }

    /**
     * The job's pipeline on this rank: the stage of {@code task}, the schedule and the codecs of its
     * links; a compressed link's error memory (EF14) lives at the sender, under
     * stages/&lt;i&gt;/wire/activations and stages/&lt;i&gt;/wire/gradients.
     */
    @SuppressWarnings("unchecked")
    static Pipeline forJob(Job job, Communicator comm, Rng rankRng, List<Param> params, Optimizer optimizer, StateTree state,
                           Task<?> task) {
        Job.Pipeline p = job.pipeline;
        StageNetwork net = (StageNetwork) task.network();
        int i = net.index(), k = net.stages(), rows = net.rows();
        Schedule schedule = Schedule.byId(p.schedule.id());
        int in = rows * net.stage().inputWidth(), out = rows * net.stage().outputWidth();
        String prefix = stagePath(i, "wire/");
        StagePipeline runner = new StagePipeline(comm, i, k, net.stage(), schedule, p.microBatches, rows,
                i > 0 ? codec(p.compressActivations, in, rankRng, state, null) : null,
                i < k - 1 ? codec(p.compressActivations, out, rankRng, state, prefix + "activations") : null,
                i < k - 1 ? codec(p.compressGradients, out, rankRng, state, null) : null,
                i > 0 ? codec(p.compressGradients, in, rankRng, state, prefix + "gradients") : null);
        String d = k + " stages, " + schedule.id() + ", " + p.microBatches + (p.microBatches == 1 ? " micro-batch" : " micro-batches") + ", activations "
                + (p.compressActivations == null ? "dense" : p.compressActivations.describe()) + ", gradients "
                + (p.compressGradients == null ? "dense" : p.compressGradients.describe());
        return new Pipeline(runner, (Batches<Batch.Examples>) task.batches(), params, optimizer, comm, net.stage().isLast(), d);
    }

    /** Where stage {@code i}'s own state lives in the state tree. */
    static String stagePath(int i, String leaf) { return "stages/" + i + "/" + leaf; }

    /** {@code efPath}: the sender's error memory when the job asks for ef14 (null on the receiving side). */
    private static WireCodec codec(Job.WireCompression w, int n, Rng rng, StateTree state, String efPath) {
        if (w == null) return new DenseCodec(n);
        boolean ef = w.errorFeedback == Job.ErrorFeedbackName.EF14;
        return new CompressedCodec(new TopK(w.ratio), n, rng, state, ef ? efPath : null);
    }

    @Override
    public StepOutcome step(long s, float localLoss, boolean stopVote, UpdateGuard guard) {
        outcome.reset();
        long t0 = System.nanoTime();
        Batch.Examples b = batches.next();
        float loss = stages.step(b.x(), b.y());
        // the loss is the last stage's (the others add 0, exactly); the norm is over every stage's gradient
        agreed[0] = last ? loss : 0f;
        agreed[1] = stopVote ? 1f : 0f;
        agreed[2] = (float) GlobalNorm.squared(params);
        comm.allreduceSum(agreed, 0, 3);
        // compute and communication interleave in a pipeline: the whole pipelined step counts as exchange
        outcome.commNanos = System.nanoTime() - t0;
        outcome.agreed = true;
        outcome.localLoss = agreed[0];
        outcome.agreedLoss = agreed[0];
        outcome.stop = agreed[1] > 0;
        double norm = Math.sqrt(agreed[2]);
        outcome.gradNorm = (float) norm;
        outcome.lr = (float) optimizer.lr(s);
        outcome.veto = guard.veto(s, outcome.agreedLoss, norm);
        if (outcome.veto == null) optimizer.step(s);
        return outcome;
    }

    @Override public boolean drawsOwnBatches() { return true; }

    /** The stages hold different parameters: there are no replicas to compare. */
    @Override public boolean replicated() { return false; }

    @Override public String describe() { return description; }

    /** Payload bytes this stage sent forward and backward, for tests and reports. */
    long activationBytesSent() { return stages.activationBytesSent(); }

    long gradientBytesSent() { return stages.gradientBytesSent(); }
}
