package dopt.train;

import dopt.comm.Communicator;
import dopt.compress.Compressor;
import dopt.job.Job;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.Arrays;
import java.util.List;

/**
 * Byz-VR-MARINA-PP as a policy of the round loop (Malinovsky, Richtárik, Horváth, Gorbunov 2024,
 * "Byzantine robustness and partial participation can be achieved at once: just clip gradient
 * differences", Algorithm 1; Byz-VR-MARINA: Gorbunov, Horváth, Richtárik, Gidel 2023, "Variance
 * reduction is an antidote to Byzantines"). The ranks are the clients; every rank holds the same
 * estimator g^k and steps x^{k+1} = x^k − γ g^k with the job's optimizer (the paper's method is
 * {@code sgd} without momentum). The next estimator is, on a <em>full step</em>,
 *
 * <pre>  g^{k+1} = ARAgg(∇f_1(x^{k+1}), …, ∇f_n(x^{k+1}))                       (every rank, full local gradients)</pre>
 *
 * and otherwise, with S_k the C ranks sampled this step ({@code aggregation.sampled}; all n when
 * not given, which is Byz-VR-MARINA),
 *
 * <pre>  g^{k+1} = g^k + ARAgg({clip_λ(Q(∇f_{i,b}(x^{k+1}) − ∇f_{i,b}(x^k))) : i ∈ S_k}),   λ = α‖x^{k+1} − x^k‖</pre>
 *
 * a SARAH/MARINA recursion on minibatch gradient differences, both gradients on the same batch b,
 * compressed by an unbiased Q ({@code comm.compressor}: randk, qsgd, natural-dithering; none is the
 * identity) and clipped, clip_λ(v) = v·min(1, λ/‖v‖). ARAgg is the job's robust rule with its
 * pre-aggregators, and it sees only the sampled ranks' rows ({@link RobustMean#exchange}). The clip
 * is applied by every receiving rank to every row, so a Byzantine sender cannot escape it: when a
 * step samples only Byzantine ranks, g moves by at most λ per row (the paper's point). Without
 * {@code alpha_clip} nothing is clipped. A translation-equivariant rule (all of dopt.aggregate's)
 * gives the same g as the paper's ARAgg(g^k + clip(…)).
 *
 * <p>Which steps are full: the first (g^0 from full gradients at x^0, as the authors' code, whose
 * {@code RandomNumber.full_grad} starts true), then each step with probability p, one coin per step
 * drawn from (seed, step) alone so every rank and a resumed run agree (Algorithm 1's c_k ~ Be(p),
 * which then asks every client, not C of them), and, when {@code full_every} is set, every
 * {@code full_every} steps: the authors' code ({@code SamuelHorvath/VR_Byzantine}, {@code
 * run_a9a.py}) sets {@code full_grad_prob = 0} and takes a full gradient at each epoch start
 * instead. A full local gradient is the mean gradient over every example of the rank's shard
 * ({@link Task#fullGradient}), as that code's {@code MarinaWorker._compute_full_grad}.
 *
 * <p>Differences: that code's workers each keep their own g_i and send it whole; here the ranks
 * send only the compressed differences (the paper's form). Q(Δ) travels as dense float32, so the
 * compression's variance is simulated but its bytes are not saved. Non-sampled ranks compute nothing
 * and send nothing; the loss the loop sees is the median of the losses of the ranks that computed
 * one (full steps: the full local loss; other steps: the batch loss at x^{k+1}).
 *
 * <p>State: g under {@code exchange/marina/g}, x^k under {@code exchange/marina/x_prev}, Q's generator
 * is the rank's own ({@code ranks/<r>/rng}); the coin and the sample are functions of (seed, step),
 * so a resumed run continues bit for bit.
 */
final class ByzVrMarina implements ExchangePolicy {
    /** Domain of the full-step coin's generators, apart from the loaders', the ranks' and the sampling's. */
    private static final long COIN = 0xB7AL;

    private final List<Param> params;
    private final Optimizer optimizer;
    private final Task<?> task;
    private final RobustMean robust;
    private final Compressor compressor;
    private final Rng rng;
    private final long seed;
    private final double p, alphaClip;
    private final int fullEvery, rank, n;
    /** The estimator g^k and x^k (state leaves); x^{k+1} and two scratch rows (the message, then the aggregate). */
    private final float[] g, xPrev, x, flat, scratch;
    private final StepOutcome outcome = new StepOutcome();

    /**
     * {@code compressor}: Q, null for the identity; {@code rng}: Q's generator; {@code alphaClip}:
     * α, NaN for no clipping; {@code g} and {@code xPrev}: the live state arrays (length n).
     */
    ByzVrMarina(List<Param> params, Optimizer optimizer, Task<?> task, RobustMean robust, Compressor compressor, Rng rng, long seed,
                double p, double alphaClip, int fullEvery, int rank, float[] g, float[] xPrev) {
        this.params = params;
        this.optimizer = optimizer;
        this.task = task;
        this.robust = robust;
        this.compressor = compressor;
        this.rng = rng;
        this.seed = seed;
        this.p = p;
        this.alphaClip = alphaClip;
        this.fullEvery = fullEvery;
        this.rank = rank;
        this.n = Flat.length(params);
        this.g = g;
        this.xPrev = xPrev;
        this.x = new float[n];
        this.flat = new float[n + 2];
        this.scratch = new float[n];
    }

    /** The policy of a job with a {@code byz_vr_marina} section; its state registered in {@code state}. */
    static ByzVrMarina forJob(Job job, Communicator comm, Rng rankRng, List<Param> params, Optimizer optimizer, StateTree state,
                              Task<?> task) {
        int n = Flat.length(params);
        RobustMean robust = RobustMean.forJob(job, comm, n, state);
        float[] g = state.putFloats("exchange/marina/g", new float[n], n);
        float[] xPrev = state.putFloats("exchange/marina/x_prev", new float[n], n);
        Job.ByzVrMarina m = job.byzVrMarina;
        return new ByzVrMarina(params, optimizer, task, robust, CompressedMean.compressor(job.comm), rankRng, job.seed, m.p,
                m.alphaClip == null ? Double.NaN : m.alphaClip, m.fullEvery, comm.rank(), g, xPrev);
    }

    @Override
    public boolean drawsOwnBatches() { return true; }

    /** Whether step {@code s} (from 1) aggregates full gradients of every rank. */
    boolean fullStep(long s) {
        if (s == 1 || fullEvery > 0 && (s - 1) % fullEvery == 0) return true;
        return p > 0 && Rng.derive(seed, COIN, s).nextDouble() < p;
    }

    @Override
    public StepOutcome step(long s, float ignored, boolean stopVote, UpdateGuard guard) {
        outcome.reset();
        Flat.gather(params, Flat.VALUE, x);
        boolean full = fullStep(s);
        boolean[] part = full ? null : robust.participants(s);
        float loss = Float.NaN;
        double radius = Double.POSITIVE_INFINITY;
        if (full) {
            loss = task.fullGradient(scratch);
            Flat.gather(params, Flat.GRAD, flat);
        } else {
            if (part == null || part[rank]) loss = gradientDifference();
            else Arrays.fill(flat, 0, n, 0f);
            if (!Double.isNaN(alphaClip)) radius = alphaClip * distance(x, xPrev);
        }
        flat[n] = loss;
        flat[n + 1] = stopVote ? 1f : 0f;
        long t0 = System.nanoTime();
        outcome.rejected = robust.exchange(flat, n, part, radius);
        outcome.commNanos = System.nanoTime() - t0;
        if (full) System.arraycopy(flat, 0, g, 0, n);
        else for (int k = 0; k < n; k++) g[k] += flat[k];
        System.arraycopy(x, 0, xPrev, 0, n);
        Flat.scatter(g, params, Flat.GRAD);
        outcome.localLoss = loss;
        GradientMean.applyAgreed(outcome, s, flat, n, params, optimizer, guard);
        return outcome;
    }

    /**
     * flat[0, n) ← Q(∇f_b(x^{k+1}) − ∇f_b(x^k)) on one fresh batch b; the parameters hold x^{k+1}
     * again afterwards. Returns the batch loss at x^{k+1}.
     */
    private float gradientDifference() {
        float loss = task.forwardBackward();
        Flat.gather(params, Flat.GRAD, flat);
        Flat.scatter(xPrev, params, Flat.VALUE);
        task.forwardBackwardAgain();
        Flat.scatter(x, params, Flat.VALUE);
        Flat.gather(params, Flat.GRAD, scratch);
        for (int k = 0; k < n; k++) scratch[k] = flat[k] - scratch[k];
        if (compressor == null) System.arraycopy(scratch, 0, flat, 0, n);
        else compressor.compress(scratch, flat, n, rng);
        return loss;
    }

    private static double distance(float[] a, float[] b) {
        double sq = 0;
        for (int k = 0; k < a.length; k++) {
            double d = (double) a[k] - b[k];
            sq += d * d;
        }
        return Math.sqrt(sq);
    }

    @Override
    public String describe() {
        return "Byz-VR-MARINA" + (robust.participantCount() < robust.rankCount() ? "-PP" : "") + ": gradient differences, "
                + robust.describe() + ", full gradients at step 1" + (p > 0 ? " and with p = " + p : "")
                + (fullEvery > 0 ? " and every " + fullEvery + " steps" : "")
                + (Double.isNaN(alphaClip) ? ", not clipped" : ", clipped to " + alphaClip + "·|x^{k+1} - x^k|")
                + (compressor == null ? "" : ", Q = " + compressor.name());
    }
}
