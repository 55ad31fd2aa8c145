package dopt.train;

import dopt.comm.Communicator;
import dopt.io.RunSummary;
import dopt.io.TraceData;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The round loop every rank runs: step after step it draws a batch and computes the local loss and
 * gradients ({@link Task}), hands them to the job's {@link ExchangePolicy} (which decides what ranks
 * send and how it becomes the update), and after every step on which all ranks agree it checks
 * replicas, evaluates, checkpoints and reports progress, and honours stop requests. It knows nothing
 * about how gradients or models are combined.
 *
 * <p>All state lives in the {@link Replica}'s state tree, so a run resumed from step k reproduces
 * the uninterrupted run's parameters bit for bit: the loader positions, the RNG words, the
 * optimizer's and the policy's state are all restored, and every reduction has a fixed order.
 */
public final class Trainer {
    private static final Logger LOG = LogManager.getLogger(Trainer.class);

    private final Job job;
    private final Communicator comm;
    private final PrintStream console;
    private final int rank, ranks;
    private final Replica replica;
    private final TraceRecorder trace;
    private final RunCheckpoints checkpoints;
    private final RunOutputs outputs;
    private final UpdateGuard guard;
    private long rejected;

    public Trainer(Job job, Communicator comm, Path outDir, Path repoRoot, PrintStream console) throws JobException {
        this(job, comm, outDir, repoRoot, console, null);
    }

    /**
     * A trainer that continues from {@code resumeFrom} (null: starts at step 0). Unlike the
     * five-argument constructor followed by {@link #resume}, it never reads {@code model.init_from}
     * when resuming: an adapted run's frozen weights come from the checkpoint, a full fine-tune's
     * weights are all restored anyway, so the checkpoint alone suffices.
     */
    public Trainer(Job job, Communicator comm, Path outDir, Path repoRoot, PrintStream console, Path resumeFrom) throws JobException {
        this.job = job;
        this.comm = comm;
        this.console = console;
        this.rank = comm.rank();
        this.ranks = comm.size();
        this.replica = new Replica(job, comm, repoRoot, resumeFrom);
        this.trace = new TraceRecorder(job.steps);
        this.checkpoints = new RunCheckpoints(replica, comm, outDir);
        this.outputs = new RunOutputs(outDir, console, JobFile.toJson(job), job.name, ranks);
        this.guard = new DivergenceGuard(replica.firstLoss);
        if (resumeFrom != null) resume(resumeFrom);
    }

    /** Restores every rank's state from {@code checkpoint} (all ranks read the same file). */
    public void resume(Path checkpoint) throws JobException {
        checkpoints.restore(checkpoint, trace);
    }

    /**
     * Runs from the current step to {@code job.steps}; a collective call on every rank. Returns
     * null when a {@link StopRequest} ended the run early (after checkpointing).
     */
    public RunSummary run() throws IOException {
        long first = replica.step[0] + 1;
        if (rank == 0) console.println(firstLine(first));
        Progress progress = new Progress(console, first, job.steps, 2000);
        long startNanos = System.nanoTime();
        long sent0 = comm.bytesSent(), recv0 = comm.bytesReceived();
        double lastLoss = Double.NaN;
        for (long s = first; s <= job.steps; s++) {
            long t0 = System.nanoTime();
            float loss = replica.policy.drawsOwnBatches() ? Float.NaN : replica.task.forwardBackward();
            long t1 = System.nanoTime();
            boolean stopVote = StopRequest.requested() || (rank == 0 && outputs.stopFileExists());
            long bs = comm.bytesSent(), br = comm.bytesReceived();
            StepOutcome o = replica.policy.step(s, loss, stopVote, guard);
            if (o.veto != null)
                fail(s - 1, o.veto + " at step " + s + " (agreed over " + ranks + " ranks); stopped before applying that update");
            replica.step[0] = s;
            rejected += o.rejected;
            trace.record(s, replica.policy.drawsOwnBatches() ? o.localLoss : loss, o.agreedLoss, o.gradNorm, o.lr, comm.bytesSent() - bs, comm.bytesReceived() - br,
                    (t1 - t0) / 1e6f, o.commNanos / 1e6f, o.rejected);
            if (!o.agreed) continue;
            lastLoss = o.agreedLoss;
            if (afterAgreedStep(s, o.agreedLoss, o.stop, progress)) return stop(s);
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        // resumed from a checkpoint at the last step (a crash after it, before _SUCCESS): finish the outputs
        if (first > job.steps) lastLoss = trace.lastAgreedLoss(job.steps);
        double[] ev = evaluate(job.steps);
        if (replica.policy.replicated()) ReplicaCheck.verify(replica.params, comm, job.steps);
        long[] totals = sumOverRanks(comm.bytesSent() - sent0, comm.bytesReceived() - recv0, rejected);
        TraceData gathered = gatherTrace(job.steps);
        refuseNonFiniteParameters(job.steps);
        checkpoints.write(job.steps, gathered);
        RunSummary summary = summarize(lastLoss, ev, seconds, job.steps - first + 1, totals);
        if (rank == 0) {
            outputs.writeTrace(gathered);
            outputs.writePlot(job.name + " (" + ranks + " ranks, " + replica.optimizer.name() + ")", gathered);
            outputs.finish(summary);
            LOG.info("run complete: {}", summary.toJson().replace('\n', ' '));
        }
        comm.barrier(outputWaitMillis());
        return summary;
    }

    /**
     * What follows a step on which all ranks agree: the replica check, evaluation, checkpoint and
     * progress. Returns true when the run must stop on request (the caller checkpoints).
     */
    private boolean afterAgreedStep(long s, float loss, boolean stopRequested, Progress progress) throws IOException {
        if (job.verifyReplicas && replica.policy.replicated()) ReplicaCheck.verify(replica.params, comm, s);
        boolean last = s == job.steps;
        if (stopRequested && !last) return true;
        String evalNote = null;
        if (!last && job.evalEvery > 0 && s % job.evalEvery == 0) evalNote = evaluateNote(s);
        if (!last && job.checkpoint.every > 0 && s % job.checkpoint.every == 0) checkpoint(s);
        if (rank == 0) progress.update(s, loss, evalNote);
        return false;
    }

    /** Checkpoints after step {@code s} and leaves the stopped marker; a collective call. */
    private RunSummary stop(long s) throws IOException {
        checkpoint(s);
        if (rank == 0) outputs.stopped(s, job.steps, checkpoints.last());
        LOG.info("stopped on request after step {}", s);
        comm.barrier();
        return null;
    }

    private void checkpoint(long s) throws IOException {
        refuseNonFiniteParameters(s);
        TraceData gathered = gatherTrace((int) s);
        checkpoints.write(s, gathered);
        if (rank == 0) outputs.writeTrace(gathered);
        // the others wait here for rank 0's file writes, not in the next collective, whose bound is
        // meant for communication: a large checkpoint may take longer than comm.timeout_s to write
        // (rank 0 itself waits with the collective bound: see outputWaitMillis)
        comm.barrier(outputWaitMillis());
    }

    /**
     * The bound of the barrier after rank 0's writes. Rank 0 arrives last (it writes first), so it
     * waits with the collective bound: a rank that hangs there is still reported within
     * comm.timeout_s. The others wait for rank 0's writes, which may take longer than comm.timeout_s
     * for a large checkpoint: two minutes more.
     */
    private long outputWaitMillis() {
        return rank == 0 ? comm.timeoutMillis() : comm.timeoutMillis() + 120_000L;
    }

    /**
     * Stops a run that diverged (an update the guard refused, or parameters that overflowed), keeping
     * the trace up to {@code traceUpTo} for diagnosis; the bad state is never checkpointed.
     */
    private void fail(long traceUpTo, String what) throws IOException {
        if (traceUpTo > 0) {
            TraceData g = gatherTrace((int) traceUpTo);
            if (rank == 0) outputs.writeTrace(g);
        }
        Path last = checkpoints.last();
        throw new NonFiniteException(what + ". Last good checkpoint: "
                + (last == null ? "none (no checkpoint was written before step " + (traceUpTo + 1) + ")" : last) + ". " + Hints.forDivergence(job));
    }

    /**
     * A checkpoint is written only from finite parameters, so the one a failure names as "last good"
     * can be resumed: a finite loss and gradient can still give an update that overflows (a huge step),
     * and the guard would only see it in the next step's loss, after this checkpoint. Every rank holds
     * the same parameters at an agreed step, so all decide alike without a collective; the stages of a
     * pipeline hold different parameters, so they agree in one allreduce first.
     */
    private void refuseNonFiniteParameters(long s) throws IOException {
        String bad = null;
        for (dopt.tensor.Param p : replica.params) {
            for (float v : p.value())
                if (!Float.isFinite(v)) {
                    bad = p.name() + " (" + v + ")";
                    break;
                }
            if (bad != null) break;
        }
        if (!replica.policy.replicated()) {
            float[] anyBad = {bad != null ? 1f : 0f};
            comm.allreduceSum(anyBad, 0, 1);
            if (anyBad[0] > 0 && bad == null) bad = "of another pipeline stage";
        }
        if (bad != null) fail(s, "non-finite parameter " + bad + " after the update of step " + s + "; stopped before checkpointing it");
    }

    /** Held-out evaluation split across ranks; returns {accuracy (NaN for language models), loss}. A collective call. */
    private double[] evaluate(long s) {
        double[] e = replica.task.evaluate(comm);
        trace.evaluated(s, e[0], e[1]);
        LOG.info("step {}: held-out accuracy {} loss {}", s, e[0], e[1]);
        return e;
    }

    private String evaluateNote(long s) {
        double[] e = evaluate(s);
        return Double.isNaN(e[0]) ? String.format(Locale.ROOT, "val loss %.4f (ppl %.2f)", e[1], Math.exp(e[1]))
                : String.format(Locale.ROOT, "test acc %.2f%%", 100 * e[0]);
    }

    private String firstLine(long first) {
        long trained = replica.trainableParams();
        String model = replica.adapters == null
                ? (job.model.initFrom != null ? "fine-tuning all " + trained + " params" : trained + " params")
                : FineTuning.describe(job.model.adapter, replica.adapters) + ": " + trained + " of " + replica.totalParams + " params trained";
        String exchange = replica.policy.describe();
        return String.format(Locale.ROOT, "dopt: %s on %d rank(s): %s, %s, %s, optimizer %s%s, %d steps%s", job.name, ranks,
                replica.task.dataName(), replica.task.describe(), model, replica.optimizer.name(),
                exchange.isEmpty() ? "" : ", " + (job.comm.localSteps > 1 || job.federated != null || job.byzVrMarina != null ? ""
                        : job.pipeline != null ? "pipeline of " : "gradients ") + exchange, job.steps,
                first > 1 ? " (resuming at step " + first + ")" : "");
    }

    /** Totals over all ranks of {@code values}; a collective call. */
    private long[] sumOverRanks(long... values) {
        ByteBuffer mine = ByteBuffer.allocate(8 * values.length);
        for (long v : values) mine.putLong(v);
        long[] t = new long[values.length];
        for (byte[] b : comm.allgatherBytes(mine.array())) {
            ByteBuffer bb = ByteBuffer.wrap(b);
            for (int i = 0; i < t.length; i++) t[i] += bb.getLong();
        }
        return t;
    }

    private RunSummary summarize(double finalLoss, double[] ev, double seconds, long stepsRun, long[] totals) throws IOException {
        boolean lm = Double.isNaN(ev[0]);
        String exchange = replica.policy.describe();
        String fineTuning = job.model.initFrom == null ? null
                : (replica.adapters == null ? "all weights" : FineTuning.describe(job.model.adapter, replica.adapters)) + " from " + job.model.initFrom;
        Path ckpt = checkpoints.last();
        return new RunSummary(job.name, ranks, replica.optimizer.name(), exchange.isEmpty() ? "allreduce" : exchange,
                replica.trainableParams(), replica.totalParams, fineTuning, job.steps, stepsRun, seconds, finalLoss, ev[1], ev[0],
                lm ? Math.exp(ev[1]) : Double.NaN, replica.task.baselineLoss(), stepsRun > 0 ? stepsRun / Math.max(seconds, 1e-9) : Double.NaN,
                totals[0], totals[1], replica.policy.optimizerStateBytes().orElse(replica.optimizer.stateBytes()), totals[2],
                Budgets.messageBytes(replica.job, replica.params), replica.budgetSetting,
                !replica.policy.replicated() ? "never" : job.verifyReplicas ? "every step" : "at the end",
                ckpt.toString(), rank == 0 ? Files.size(ckpt) : 0, outputs.trace().toString(), outputs.plot().toString());
    }

    /** Every rank's trace of steps 1..{@code upTo}, with the policy's per-round tables; a collective call. */
    private TraceData gatherTrace(int upTo) {
        return trace.gather(comm, upTo).withTables(replica.policy.traceTables(upTo));
    }

    /** Scalars the optimizer trains (the adapter matrices when adapting). */
    public long trainableParams() { return replica.trainableParams(); }

    /** Every scalar of the model: its weights, plus the adapter matrices, trained and fixed, when adapting. */
    public long totalParams() { return replica.totalParams; }

    /** The model's weights (frozen when adapting), for tests. */
    List<dopt.tensor.Param> weights() { return replica.task.weights(); }

    /** The parameters, for tests that compare runs bit for bit. */
    public List<dopt.tensor.Param> params() { return replica.params; }

    public long step() { return replica.step[0]; }
}
