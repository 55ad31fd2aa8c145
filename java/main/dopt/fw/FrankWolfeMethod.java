package dopt.fw;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * The Frank–Wolfe template shared by every method here: at iteration t (from 0) a gradient
 * estimator v_t of ∇f(x_t) is formed, s_t = LMO(v_t), and x_{t+1} = (1 − η_t) x_t + η_t s_t with
 * η_t = 2/(t + 2) (Jaggi 2013, Algorithm 1; the step of the unified scheme of Nazykov et al. 2024,
 * Algorithm 1, and of Beznosikov, Dobre and Gidel 2024, Algorithms 1–2, in the convex case).
 * Methods differ only in {@link #estimate}: that is the "zoo" of Nazykov et al.
 *
 * <p>State — x, v, the iteration, the gradient-evaluation counter, the RNG words and whatever the
 * estimator keeps (snapshots, previous iterate, gradient tables) — lives in a {@link StateTree}
 * under the prefix given to {@link #init}, by reference, so a checkpoint restores a run exactly.
 */
public abstract class FrankWolfeMethod {
    protected final FiniteSumProblem problem;
    protected final LinearMinimizationOracle lmo;
    protected final int n, dim;
    private final long seed;
    protected float[] x, v;
    private float[] s;
    private long[] iteration;
    protected GradientOracle oracle;
    protected Rng rng;
    protected BatchSampler sampler;
    protected int[] batch;

    protected FrankWolfeMethod(FiniteSumProblem problem, LinearMinimizationOracle lmo, long seed) {
        if (problem.dim() != lmo.dim())
            throw new IllegalArgumentException("problem dimension " + problem.dim() + " != set dimension " + lmo.dim());
        this.problem = problem;
        this.lmo = lmo;
        this.n = problem.n();
        this.dim = problem.dim();
        this.seed = seed;
    }

    /** The method's name in reports, e.g. {@code Sarah-FW}. */
    public abstract String name();

    /** Creates the state at the feasible start {@code x0} and registers it under {@code prefix}. */
    public final void init(float[] x0, StateTree state, String prefix) {
        if (x0.length != dim) throw new IllegalArgumentException("x0 has length " + x0.length + ", the problem dimension is " + dim);
        for (int j = 0; j < dim; j++)
            if (!Float.isFinite(x0[j])) throw new IllegalArgumentException("x0[" + j + "] = " + x0[j]);
        if (!lmo.contains(x0, 1e-6)) throw new IllegalArgumentException("x0 lies outside the " + lmo.describe());
        x = state.putFloats(prefix + "/x", x0.clone());
        v = state.putFloats(prefix + "/v", new float[dim]);
        s = new float[dim];
        iteration = state.putLongs(prefix + "/iteration", 0L);
        oracle = new GradientOracle(problem, state.putLongs(prefix + "/gradient_evaluations", 0L));
        rng = new Rng(seed);
        state.putLongs(prefix + "/rng", rng.state());
        sampler = new BatchSampler(n);
        batch = new int[n];
        initEstimator(state, prefix);
    }

    /** Registers the estimator's own state under {@code prefix}. */
    protected abstract void initEstimator(StateTree state, String prefix);

    /** Writes into {@link #v} the estimate of ∇f(x_t), x_t = {@link #x}, at iteration {@code t}. */
    protected abstract void estimate(long t);

    /** One Frank–Wolfe iteration. */
    public final void step() {
        long t = iteration[0];
        estimate(t);
        lmo.minimize(v, s);
        double eta = stepSize(t);
        for (int j = 0; j < dim; j++) x[j] = (float) ((1 - eta) * x[j] + eta * s[j]);
        iteration[0] = t + 1;
    }

    /** η_t = 2/(t + 2), t from 0 (so x_1 = s_0); a method whose paper prescribes another schedule overrides it. */
    public double stepSize(long t) { return 2.0 / (t + 2); }

    /** The current iterate (live buffer). */
    public float[] x() { return x; }

    /** Iterations done. */
    public long iteration() { return iteration[0]; }

    /** Component gradients evaluated so far (a full gradient counts n). */
    public long gradientEvaluations() { return oracle.evaluations(); }

    /** Bytes of state: x, v, counters, RNG, and the estimator's buffers. */
    public long stateBytes() { return 8L * dim + 2 * 8 + 32 + estimatorStateBytes(); }

    protected abstract long estimatorStateBytes();

    /** Draws b distinct component indices into {@link #batch}. */
    protected final void sampleBatch(int b) { sampler.sample(rng, b, batch); }

    protected final void copy(float[] from, float[] to) { System.arraycopy(from, 0, to, 0, dim); }

    protected final void zero(float[] a) { java.util.Arrays.fill(a, 0f); }

    protected static int checkBatch(int b, int n) {
        if (b < 1 || b > n) throw new IllegalArgumentException("batch size must be in [1, n = " + n + "]: " + b);
        return b;
    }

    protected static int checkEpoch(int m) {
        if (m < 1) throw new IllegalArgumentException("epoch length must be positive: " + m);
        return m;
    }
}
