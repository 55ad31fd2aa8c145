package dopt.train;

import dopt.comm.Communicator;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.nn.adapter.AdapterSet;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * This rank's part of a run: the task (model, data, loader), the parameters the optimizer trains,
 * the optimizer, the exchange policy, and the one {@link StateTree} in which every piece of their
 * state is registered: the job, the step, the parameters, the optimizer's and the policy's state,
 * and under {@code ranks/<r>/} what belongs to this rank alone (RNG, loader position, buffers).
 */
final class Replica {
    private static final Logger LOG = LogManager.getLogger(Replica.class);

    /** The job as run: with the settings its budgets chose (see {@link Budgets}). */
    final Job job;
    /** What the budgets chose ("rho 0.25; ratio 0.01"), or null for a job without budgets. */
    final String budgetSetting;
    final Task<?> task;
    /** What the optimizer trains: the model's weights, or the adapter matrices when adapting. */
    final List<Param> params;
    /** The adapters when fine-tuning through them, else null. */
    final AdapterSet adapters;
    /** Every scalar of the model: the weights, plus the adapter matrices (trained and fixed) when adapting. */
    final long totalParams;
    final StateTree state = new StateTree();
    final Optimizer optimizer;
    final ExchangePolicy policy;
    /** {the last completed step}, a state leaf. */
    final long[] step;
    /** {the first agreed loss of the run}, a state leaf the divergence guard compares against. */
    final double[] firstLoss;

    /** {@code resumeFrom}: the checkpoint this run will continue from (then {@code model.init_from} is not read), or null. */
    Replica(Job written, Communicator comm, Path repoRoot, Path resumeFrom) throws JobException {
        Job job = written;
        int rank = comm.rank();
        this.task = JobPlan.buildTask(job, repoRoot, comm.size(), rank);
        task.init(Rng.derive(job.seed, 1));
        // zeros for convex models (KATE's scale invariance needs it)
        if (job.model.init == Job.InitKind.ZEROS) for (Param p : task.params()) Arrays.fill(p.value(), 0f);
        // fine-tuning: weights from model.init_from, then (with model.adapter) only the adapters are trained
        this.adapters = FineTuning.prepare(job, task, comm, Optimizers.schedule(job.optimizer, job.steps).lr(1), resumeFrom);
        this.params = task.params();
        // budgets choose settings from the trained shapes; every rank computes the same choice
        Budgets.Choice choice = Budgets.resolve(written, params);
        job = this.job = choice.job();
        this.budgetSetting = choice.setting();
        if (rank == 0) for (String line : choice.lines()) LOG.info("budget: {}", line);
        long total = 0;
        for (Param w : task.weights()) total += w.size();
        // a stage holds a slice: the run trains the whole model
        if (task.network() instanceof StageNetwork s) total = s.stage().modelParams();
        this.totalParams = adapters == null ? total : total + adapters.trainableCount() + FineTuning.fixedCount(adapters);

        // as written, budgets and all: what a resume compares its job file with
        state.putString("job", JobFile.toJson(written));
        this.step = state.putLongs("train/step", 0L);
        this.firstLoss = state.putDoubles("train/first_loss", new double[] {Double.NaN}, 1);
        // a pipeline stage's parameters and optimizer state are its own: under stages/<i>/, gathered for checkpoints
        String own = job.pipeline != null ? Pipeline.stagePath(rank, "") : "";
        for (Param p : params) state.putFloats(own + "params/" + p.name(), p.value(), p.shape());
        if (adapters != null) FineTuning.register(state, adapters, task.weights());
        dopt.tensor.Backend backend;
        try {
            // MPJ gives no node-local rank: the backend maps the rank to a device
            backend = job.backend == Job.BackendName.CPU ? null : dopt.backend.Backends.select(job.backend.id(), rank);
        } catch (IllegalStateException e) {
            throw new JobException(e.getMessage());
        }
        if (backend != null) LOG.info("optimizer step on backend {}", backend.name());
        // between model averages each rank's optimizer state is its own
        String optimPrefix = job.comm.localSteps > 1 ? rankPath(rank, "optim") : own + "optim";
        this.optimizer = Optimizers.build(job.optimizer, job.steps, job.seed, params, state, optimPrefix, backend);
        Rng rankRng = Rng.derive(job.seed, 2, rank);
        state.putLongs(rankPath(rank, "rng"), rankRng.state());
        this.policy = ExchangePolicies.forJob(job, comm, rankRng, params, optimizer, state, task);
        state.putLongs(rankPath(rank, "loader"), task.loaderPosition());
        for (Param b : task.buffers()) state.putFloats(rankPath(rank, "buffers/" + b.name()), b.value(), b.shape());
    }

    static String rankPath(int r, String leaf) { return "ranks/" + r + "/" + leaf; }

    /**
     * The subtrees rank {@code r} alone holds, which checkpoints gather from it: {@code ranks/<r>/},
     * and a pipeline stage's {@code stages/<r>/}.
     */
    List<String> ownedPrefixes(int r) {
        return job.pipeline != null ? List.of(rankPath(r, ""), Pipeline.stagePath(r, "")) : List.of(rankPath(r, ""));
    }

    /** True for a path in a subtree that some single rank holds (its own or another's). */
    static boolean rankOwned(String path) { return path.startsWith("ranks/") || path.startsWith("stages/"); }

    /** Scalars the optimizers train (the adapter matrices when adapting; every stage's in a pipeline). */
    long trainableParams() { return task.network() instanceof StageNetwork ? totalParams : Flat.length(params); }

    /** After the state tree was restored: the adapted weights' value buffers hold W₀ between steps, copy it there too. */
    void restored() {
        if (adapters != null) adapters.restore();
    }
}
