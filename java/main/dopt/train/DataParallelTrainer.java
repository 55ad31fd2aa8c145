package dopt.train;

import dopt.comm.Communicator;
import dopt.io.Checkpoint;
import dopt.io.CheckpointException;
import dopt.io.Trace;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.optim.GlobalNorm;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Synchronous data-parallel training (the scheme of PyTorch DDP and Horovod): every rank holds a
 * replica of the model and a shard of the data, computes a gradient on its own batch, the
 * gradients are averaged by allreduce, and every rank applies the same optimizer step to the same
 * averaged gradient, so replicas stay bit-identical.
 *
 * <p>Every piece of state lives in one {@link StateTree}: parameters, optimizer state, the step,
 * and per rank the RNG and the data-loader position. Rank 0 writes it as an HDF5 checkpoint every
 * {@code checkpoint.every} steps; a run resumed from step k reproduces the uninterrupted run's
 * parameters bit for bit, because the loader position, the RNG words and the optimizer's counters
 * are all restored and the reduction order is fixed.
 */
public final class DataParallelTrainer {
    private static final Logger LOG = LogManager.getLogger(DataParallelTrainer.class);
    public static final String SUCCESS_MARKER = "_SUCCESS";

    private final Job job;
    private final String jobJson;
    private final Communicator comm;
    private final Path outDir, checkpointDir;
    private final PrintStream console;
    private final int rank, ranks;

    private final Task task;
    private final List<Param> params;
    /** The adapters when fine-tuning through them (params are then their matrices), else null. */
    private final dopt.nn.adapter.AdapterSet adapters;
    /** Every scalar of the model: the weights, plus the adapter matrices (trained and fixed) when adapting. */
    private final long totalParams;
    private final StateTree state = new StateTree();
    private final Optimizer optimizer;
    private final long[] step;
    private final TraceRecorder trace;
    /** Local SGD's H: optimizer steps between model averages (1 = synchronous). */
    private final int localSteps;
    /** Compressed gradient averaging (a compressor's messages, or PowerSGD's factors), or null for a plain allreduce. */
    private final GradientExchange exchange;
    private final List<double[]> evals = new ArrayList<>();
    private Path lastCheckpoint;

    /** Everything a finished run reports. */
    public record Outcome(double finalLoss, double testLoss, double testAccuracy, double stepsPerSecond,
                          long bytesSent, long bytesReceived, long optimizerStateBytes, Path checkpoint, Path trace,
                          Path plot, Path summary) { }

    public DataParallelTrainer(Job job, Communicator comm, Path outDir, Path repoRoot, PrintStream console) throws JobException {
        this(job, comm, outDir, repoRoot, console, null);
    }

    /**
     * A trainer that continues from {@code resumeFrom} (null: starts at step 0). Unlike the
     * five-argument constructor followed by {@link #resume}, it never reads {@code model.init_from}
     * when resuming: an adapted run's frozen weights come from the checkpoint, a full fine-tune's
     * weights are all restored anyway, so the checkpoint alone suffices.
     */
    public DataParallelTrainer(Job job, Communicator comm, Path outDir, Path repoRoot, PrintStream console, Path resumeFrom)
            throws JobException {
        this.job = job;
        this.jobJson = JobFile.toJson(job);
        this.comm = comm;
        this.outDir = outDir;
        this.checkpointDir = outDir.resolve("checkpoints");
        this.console = console;
        this.rank = comm.rank();
        this.ranks = comm.size();

        this.task = JobPlan.buildTask(job, repoRoot, ranks, rank);
        task.init(Rng.derive(job.seed, 1));
        // zeros for convex models (KATE's scale invariance needs it)
        if (job.model.init == Job.InitKind.ZEROS) for (Param p : task.params()) java.util.Arrays.fill(p.value(), 0f);
        // fine-tuning: weights from model.init_from, then (with model.adapter) only the adapters are trained
        this.adapters = FineTuning.prepare(job, task, comm, Optimizers.schedule(job.optimizer, job.steps).lr(1), resumeFrom);
        this.params = task.params();
        long total = 0;
        for (Param w : task.weights()) total += w.size();
        this.totalParams = adapters == null ? total : total + adapters.trainableCount() + FineTuning.fixedCount(adapters);

        state.putString("job", jobJson);
        this.step = state.putLongs("train/step", 0L);
        for (Param p : params) state.putFloats("params/" + p.name(), p.value(), p.shape());
        if (adapters != null) FineTuning.register(state, adapters, task.weights());
        this.localSteps = job.comm.localSteps;
        // between model averages each rank's optimizer state is its own
        // MPJ gives no node-local rank: multicore ranks share one node, so the rank itself picks the GPU (mod #GPUs)
        dopt.tensor.Backend backend;
        try {
            backend = job.backend == Job.BackendName.CPU ? null : dopt.backend.Backends.select(job.backend.id(), rank);
        } catch (IllegalStateException e) {
            throw new JobException(e.getMessage());
        }
        if (backend != null) LOG.info("optimizer step on backend {}", backend.name());
        this.optimizer = Optimizers.build(job.optimizer, job.steps, job.seed, params, state,
                localSteps > 1 ? "ranks/" + rank + "/optim" : "optim", backend);
        Rng rankRng = Rng.derive(job.seed, 2, rank);
        state.putLongs(rankPath(rank, "rng"), rankRng.state());
        this.exchange = GradientExchange.forJob(job, comm, rankRng, params, state);
        state.putLongs(rankPath(rank, "loader"), task.loaderPosition());
        for (Param b : task.buffers()) state.putFloats(rankPath(rank, "buffers/" + b.name()), b.value(), b.shape());
        this.trace = new TraceRecorder(job.steps);
        if (resumeFrom != null) resumeFromCheckpoint(resumeFrom);
    }

    private static String rankPath(int r, String leaf) { return "ranks/" + r + "/" + leaf; }

    /** Restores every rank's state from {@code checkpoint} (all ranks read the same file). */
    public void resume(Path checkpoint) throws CheckpointException, JobException {
        restore(checkpoint, Checkpoint.read(checkpoint));
    }

    private void resumeFromCheckpoint(Path checkpoint) throws JobException {
        Checkpoint.Loaded loaded;
        try {
            loaded = Checkpoint.read(checkpoint);
        } catch (CheckpointException e) {
            throw new JobException(e.getMessage());
        }
        restore(checkpoint, loaded);
    }

    private void restore(Path checkpoint, Checkpoint.Loaded loaded) throws JobException {
        String r = loaded.attributes().get("ranks");
        if (r == null || Integer.parseInt(r) != ranks)
            throw new JobException("checkpoint " + checkpoint + " was written by " + r + " ranks; resume it with --np " + r);
        StateTree mine = new StateTree();
        for (Map.Entry<String, StateTree.Leaf> e : loaded.tree().leaves().entrySet()) {
            String path = e.getKey();
            if (path.startsWith("trace/")) {
                StateTree.FloatLeaf f = (StateTree.FloatLeaf) e.getValue();
                trace.restore(path.substring("trace/".length()), f.data(), ranks, rank);
            } else if (path.startsWith("ranks/") && !path.startsWith("ranks/" + rank + "/")) {
                continue;
            } else if (!path.equals("job")) {
                copyLeaf(mine, path, e.getValue());
            }
        }
        for (String path : mine.leaves().keySet())
            if (!state.contains(path))
                throw new JobException("checkpoint " + checkpoint + " holds '" + path + "', which this job does not have: it was written by a different job");
        state.restoreFrom(mine);
        // the adapted weights' value buffers hold W₀ between steps: copy the restored W₀ there too
        if (adapters != null) adapters.restore();
        lastCheckpoint = checkpoint;
        LOG.info("resumed from {} at step {}", checkpoint, step[0]);
    }

    private static void copyLeaf(StateTree t, String path, StateTree.Leaf leaf) {
        if (leaf instanceof StateTree.FloatLeaf f) t.putFloats(path, f.data(), f.shape());
        else if (leaf instanceof StateTree.DoubleLeaf d) t.putDoubles(path, d.data(), d.shape());
        else if (leaf instanceof StateTree.LongLeaf l) t.putLongs(path, l.data());
        else if (leaf instanceof StateTree.StringLeaf s) t.putString(path, s.value());
    }

    /**
     * Runs from the current step to {@code job.steps}; a collective call on every rank. Returns
     * null when a {@link StopRequest} ended the run early (after checkpointing).
     */
    public Outcome run() throws IOException {
        int gradLen = 0;
        for (Param p : params) gradLen += p.size();
        // gradients, then the loss and the stop flag: one allreduce carries all three
        float[] flat = new float[gradLen + 2];
        Path stopFile = outDir.resolve(StopRequest.FILE);

        long first = step[0] + 1;
        if (rank == 0) {
            console.printf(Locale.ROOT, "dopt: %s on %d rank(s): %s, %s, %s, optimizer %s%s, %d steps%s%n", job.name, ranks,
                    task.dataName(), task.describe(), adapters == null ? (job.model.initFrom != null ? "fine-tuning all " + gradLen + " params"
                            : gradLen + " params") : FineTuning.describe(job.model.adapter, adapters) + ": " + gradLen + " of "
                            + totalParams + " params trained", optimizer.name(),
                    exchange == null ? "" : ", gradients " + exchange.describe(), job.steps,
                    first > 1 ? " (resuming at step " + first + ")" : "");
        }
        Progress progress = new Progress(console, first, job.steps, 2000);
        long startNanos = System.nanoTime();
        long sent0 = comm.bytesSent(), recv0 = comm.bytesReceived();
        double lastGlobalLoss = Double.NaN;
        localLossSum = 0;
        for (long s = first; s <= job.steps; s++) {
            long t0 = System.nanoTime();
            float loss = task.forwardBackward();
            long t1 = System.nanoTime();
            int o = 0;
            for (Param p : params) {
                System.arraycopy(p.grad(), 0, flat, o, p.size());
                o += p.size();
            }
            flat[gradLen] = loss;
            flat[gradLen + 1] = StopRequest.requested() || (rank == 0 && Files.exists(stopFile)) ? 1f : 0f;
            long bs = comm.bytesSent(), br = comm.bytesReceived();
            if (localSteps > 1) {
                localLossSum += loss;
                if (!localStep(s, flat, t0, t1, bs, br)) continue;
                lastGlobalLoss = flat[gradLen];
                if (afterAgreedStep(s, flat[gradLen], flat[gradLen + 1] > 0, progress)) return stop(s);
                continue;
            }
            if (exchange == null) {
                comm.allreduceMean(flat, 0, flat.length);
            } else {
                exchange.exchange(flat);
                comm.allreduceMean(flat, gradLen, 2);
            }
            long t2 = System.nanoTime();
            o = 0;
            for (Param p : params) {
                System.arraycopy(flat, o, p.grad(), 0, p.size());
                o += p.size();
            }
            float globalLoss = flat[gradLen];
            double gradNorm = Math.sqrt(GlobalNorm.squared(params));
            if (!Float.isFinite(globalLoss) || !Double.isFinite(gradNorm)) failNonFinite(s, globalLoss, gradNorm);
            float lr = (float) optimizer.lr(s);
            optimizer.step(s);
            step[0] = s;
            trace.record(s, loss, globalLoss, (float) gradNorm, lr, comm.bytesSent() - bs, comm.bytesReceived() - br,
                    (t1 - t0) / 1e6f, (t2 - t1) / 1e6f);
            lastGlobalLoss = globalLoss;
            if (afterAgreedStep(s, globalLoss, flat[gradLen + 1] > 0, progress)) return stop(s);
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long stepsRun = job.steps - first + 1;
        double[] ev = evaluate(job.steps);
        checkReplicas(job.steps);
        long[] totals = sumOverRanks(comm.bytesSent() - sent0, comm.bytesReceived() - recv0);
        Map<String, float[][]> gathered = writeCheckpoint(job.steps);
        Path tracePath = outDir.resolve("trace.h5"), plot = outDir.resolve("loss.png"), summaryPath = outDir.resolve("summary.json");
        Outcome outcome = new Outcome(lastGlobalLoss, ev[1], ev[0], stepsRun / Math.max(seconds, 1e-9), totals[0], totals[1],
                optimizer.stateBytes(), lastCheckpoint, tracePath, plot, summaryPath);
        if (rank == 0) {
            double[] es = new double[evals.size()], el = new double[evals.size()];
            for (int i = 0; i < es.length; i++) {
                es[i] = evals.get(i)[0];
                el[i] = evals.get(i)[2];
            }
            LossPlot.write(plot, job.name + " (" + ranks + " ranks, " + optimizer.name() + ")", gathered.get("global_loss"), es, el);
            Summary summary = summarize(outcome, seconds, stepsRun);
            console.print(summary.table());
            String json = toJson(summary.rows);
            Files.writeString(summaryPath, json);
            Path tmp = outDir.resolve(SUCCESS_MARKER + ".tmp");
            Files.writeString(tmp, json);
            Files.move(tmp, outDir.resolve(SUCCESS_MARKER), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            LOG.info("run complete: {}", json.replace('\n', ' '));
        }
        comm.barrier();
        return outcome;
    }

    /**
     * What follows a step on which all ranks agree (every step, or every model average of a local
     * method): the replica check, evaluation, checkpoint and progress. Returns true when the run
     * must stop on request (the caller checkpoints).
     */
    private boolean afterAgreedStep(long s, float globalLoss, boolean stopRequested, Progress progress) throws IOException {
        if (job.verifyReplicas) checkReplicas(s);
        boolean last = s == job.steps;
        if (stopRequested && !last) return true;
        String evalNote = null;
        if (!last && job.evalEvery > 0 && s % job.evalEvery == 0) evalNote = evaluateNote(s);
        if (!last && job.checkpoint.every > 0 && s % job.checkpoint.every == 0) writeCheckpoint(s);
        if (rank == 0) progress.update(s, globalLoss, evalNote);
        return false;
    }

    private double localLossSum;

    /**
     * One step of local SGD (Stich 2019; with Adam/RMSProp scaling as in "local methods with
     * adaptive scaling"): the optimizer steps on this rank's own gradient; every {@code localSteps}
     * steps the parameters (and, if asked, the second moments) are averaged over ranks, together
     * with the mean local loss and the stop flag, in one allreduce. Returns true at a sync step, with
     * {@code flat[gradLen]} holding the mean loss and {@code flat[gradLen+1]} the stop flag.
     */
    private boolean localStep(long s, float[] flat, long t0, long t1, long bs, long br) {
        float loss = flat[flat.length - 2];
        double gradNorm = Math.sqrt(GlobalNorm.squared(params));
        float lr = (float) optimizer.lr(s);
        optimizer.step(s);
        step[0] = s;
        boolean sync = s % localSteps == 0;
        float meanLoss = Float.NaN;
        long t2 = System.nanoTime();
        if (sync) {
            int o = 0;
            for (Param p : params) {
                System.arraycopy(p.value(), 0, flat, o, p.size());
                o += p.size();
            }
            flat[o] = (float) (localLossSum / localSteps);
            comm.allreduceMean(flat, 0, o + 2); // parameters, mean loss and the stop flag
            o = 0;
            for (Param p : params) {
                System.arraycopy(flat, o, p.value(), 0, p.size());
                o += p.size();
            }
            if (job.comm.averagePreconditioner)
                for (Map.Entry<String, StateTree.Leaf> e : state.leaves().entrySet())
                    if (e.getKey().startsWith("ranks/" + rank + "/optim") && e.getKey().contains("/nu/")
                            && e.getValue() instanceof StateTree.FloatLeaf f)
                        comm.allreduceMean(f.data(), 0, f.data().length);
            meanLoss = flat[o];
            localLossSum = 0;
            if (!Float.isFinite(meanLoss)) failNonFiniteLocal(s, meanLoss);
        }
        long t3 = System.nanoTime();
        trace.record(s, loss, meanLoss, (float) gradNorm, lr, comm.bytesSent() - bs, comm.bytesReceived() - br,
                (t1 - t0) / 1e6f, (t3 - t2) / 1e6f);
        return sync;
    }

    private void failNonFiniteLocal(long s, float meanLoss) {
        throw new NonFiniteException("non-finite mean local loss (" + meanLoss + ") over the " + localSteps
                + " local steps ending at step " + s + "; stopped at that model average. Last good checkpoint: "
                + (lastCheckpoint == null ? "none" : lastCheckpoint) + ". Lower optimizer.lr or comm.local_steps.");
    }

    /** Checkpoints after step {@code s} and leaves the stopped marker; a collective call. */
    private Outcome stop(long s) throws IOException {
        writeCheckpoint(s);
        if (rank == 0) {
            Files.writeString(outDir.resolve(StopRequest.STOPPED_MARKER), "step " + s + "\ncheckpoint " + lastCheckpoint + "\n");
            console.printf(Locale.ROOT, "dopt: stopped on request after step %d of %d; checkpoint %s%n", s, job.steps, lastCheckpoint);
        }
        LOG.info("stopped on request after step {}", s);
        comm.barrier();
        return null;
    }

    private void failNonFinite(long s, float globalLoss, double gradNorm) throws IOException {
        String what = !Float.isFinite(globalLoss) ? "loss (" + globalLoss + ")" : "gradient norm (" + gradNorm + ")";
        // the trace up to the last good step is kept for diagnosis; the bad state is never checkpointed
        if (s > 1) {
            Map<String, float[][]> g = trace.gather(comm, (int) s - 1);
            if (rank == 0) writeTrace(g);
        }
        throw new NonFiniteException("non-finite " + what + " at step " + s + " (mean over " + ranks
                + " ranks); stopped before applying that update. Last good checkpoint: "
                + (lastCheckpoint == null ? "none (no checkpoint was written before step " + s + ")" : lastCheckpoint)
                + ". Lower optimizer.lr or enable optimizer.clip.");
    }

    private void checkReplicas(long s) {
        long h = 0xcbf29ce484222325L;
        for (Param p : params) {
            float[] v = p.value();
            for (float f : v) h = (h ^ Float.floatToRawIntBits(f)) * 0x100000001b3L;
        }
        byte[][] all = comm.allgatherBytes(ByteBuffer.allocate(8).putLong(h).array());
        for (int r = 0; r < all.length; r++) {
            long other = ByteBuffer.wrap(all[r]).getLong();
            if (other != h)
                throw new ReplicaMismatchException("after step " + s + " rank " + r + " holds parameters (hash "
                        + Long.toHexString(other) + ") that differ from rank " + rank + "'s (hash " + Long.toHexString(h) + ")");
        }
    }

    /** Held-out evaluation split across ranks; returns {accuracy (NaN for language models), loss}. A collective call. */
    private double[] evaluate(long s) {
        double[] e = task.evaluate(comm);
        evals.add(new double[] {s, e[0], e[1]});
        LOG.info("step {}: held-out accuracy {} loss {}", s, e[0], e[1]);
        return e;
    }

    private String evaluateNote(long s) {
        double[] e = evaluate(s);
        return Double.isNaN(e[0]) ? String.format(Locale.ROOT, "val loss %.4f (ppl %.2f)", e[1], Math.exp(e[1]))
                : String.format(Locale.ROOT, "test acc %.2f%%", 100 * e[0]);
    }

    /**
     * Gathers every rank's own state and the trace; rank 0 writes the checkpoint and the trace file.
     * A collective call; returns the gathered trace.
     */
    private Map<String, float[][]> writeCheckpoint(long s) throws IOException {
        byte[][] all = comm.allgatherBytes(RankState.encode(state, "ranks/" + rank + "/"));
        Map<String, float[][]> gathered = trace.gather(comm, (int) s);
        if (rank == 0) {
            StateTree snapshot = new StateTree();
            for (Map.Entry<String, StateTree.Leaf> e : state.leaves().entrySet())
                if (!e.getKey().startsWith("ranks/")) copyLeaf(snapshot, e.getKey(), e.getValue());
            for (int r = 0; r < ranks; r++) RankState.decodeInto(all[r], snapshot);
            for (Map.Entry<String, float[][]> e : gathered.entrySet()) snapshot.putFloats("trace/" + e.getKey(), flatten(e.getValue()), (int) s, ranks);
            Files.createDirectories(checkpointDir);
            Path file = checkpointDir.resolve(String.format(Locale.ROOT, "ckpt-%06d.h5", s));
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("step", Long.toString(s));
            attrs.put("job_name", job.name);
            attrs.put("ranks", Integer.toString(ranks));
            attrs.put("optimizer", optimizer.name());
            attrs.put("optimizer_state_bytes", Long.toString(optimizer.stateBytes()));
            Checkpoint.write(snapshot, file, attrs);
            lastCheckpoint = file;
            writeTrace(gathered);
            pruneCheckpoints();
            LOG.info("checkpoint {} written ({} bytes)", file, Files.size(file));
        } else {
            lastCheckpoint = checkpointDir.resolve(String.format(Locale.ROOT, "ckpt-%06d.h5", s));
        }
        return gathered;
    }

    private void pruneCheckpoints() throws IOException {
        List<Path> files = new ArrayList<>();
        try (var st = Files.list(checkpointDir)) {
            st.filter(p -> p.getFileName().toString().matches("ckpt-\\d+\\.h5")).sorted().forEach(files::add);
        }
        for (int i = 0; i < files.size() - job.checkpoint.keep; i++) Files.deleteIfExists(files.get(i));
    }

    private void writeTrace(Map<String, float[][]> gathered) throws IOException {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("job", jobJson);
        attrs.put("job_name", job.name);
        attrs.put("ranks", Integer.toString(ranks));
        attrs.put("written", Instant.now().toString());
        Trace.write(outDir.resolve("trace.h5"), gathered, TraceRecorder.units(), attrs);
    }

    /** Totals of this run's bytes sent and received over all ranks. A collective call. */
    private long[] sumOverRanks(long sent, long recv) {
        byte[][] all = comm.allgatherBytes(ByteBuffer.allocate(16).putLong(sent).putLong(recv).array());
        long[] t = new long[2];
        for (byte[] b : all) {
            ByteBuffer bb = ByteBuffer.wrap(b);
            t[0] += bb.getLong();
            t[1] += bb.getLong();
        }
        return t;
    }

    private Summary summarize(Outcome o, double seconds, long stepsRun) throws IOException {
        Summary summary = new Summary()
                .put("job", job.name)
                .put("ranks", ranks)
                .put("optimizer", optimizer.name())
                .put("parameters", String.format(Locale.ROOT, "%,d trainable of %,d (%.2f %%)", trainableParams(), totalParams,
                        100.0 * trainableParams() / totalParams))
                .put("trainable_params", trainableParams())
                .put("total_params", totalParams);
        if (job.model.initFrom != null)
            summary.put("fine-tuning", (adapters == null ? "all weights" : FineTuning.describe(job.model.adapter, adapters)) + " from "
                    + job.model.initFrom);
        summary.put("steps", job.steps)
                .put("final train loss", o.finalLoss())
                .put("test loss", o.testLoss())
                .put("test accuracy", Double.isNaN(o.testAccuracy()) ? "n/a (language model)"
                        : String.format(Locale.ROOT, "%.2f %%", 100 * o.testAccuracy()))
                .put("validation perplexity", Double.isNaN(o.testAccuracy()) ? String.format(Locale.ROOT, "%.3f", Math.exp(o.testLoss())) : "n/a")
                .putAll(task.baselines())
                .put("test_accuracy_pct", 100 * o.testAccuracy())
                .put("steps_per_second", o.stepsPerSecond())
                .put("steps/s", String.format(Locale.ROOT, "%.1f (%d steps in %.1f s)", o.stepsPerSecond(), stepsRun, seconds))
                .put("bytes communicated", human(o.bytesSent()) + " sent by all ranks")
                .put("optimizer state", human(o.optimizerStateBytes()) + " per rank")
                .put("replicas", "bit-identical (checked" + (job.verifyReplicas ? " every step)" : " at the end)"))
                .put("checkpoint", o.checkpoint() + " (" + human(Files.size(o.checkpoint())) + ")")
                .put("trace", o.trace().toString())
                .put("loss plot", o.plot().toString());
        return summary;
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = -1;
        do { v /= 1024; i++; } while (v >= 1024 && i < u.length - 1);
        return String.format(Locale.ROOT, "%.2f %s", v, u[i]);
    }

    private static float[] flatten(float[][] m) {
        int rows = m.length, cols = rows == 0 ? 0 : m[0].length;
        float[] f = new float[rows * cols];
        for (int i = 0; i < rows; i++) System.arraycopy(m[i], 0, f, i * cols, cols);
        return f;
    }

    private static String toJson(Map<String, Object> rows) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows) + "\n";
    }

    /** Scalars the optimizer trains (the adapter matrices when adapting). */
    public long trainableParams() {
        long c = 0;
        for (Param p : params) c += p.size();
        return c;
    }

    /** Every scalar of the model: its weights, plus the adapter matrices, trained and fixed, when adapting. */
    public long totalParams() { return totalParams; }

    /** The model's weights (frozen when adapting), for tests. */
    List<Param> weights() { return task.weights(); }

    /** The parameters, for tests that compare runs bit for bit. */
    public List<Param> params() { return params; }

    public long step() { return step[0]; }

}
