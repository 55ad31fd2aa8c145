package dopt.fw;

import dopt.state.StateTree;

/**
 * Stochastic variance-reduced Frank–Wolfe (SVRF; Hazan and Luo 2016, Algorithm 2): at the start of
 * every epoch the snapshot w ← x_t and its full gradient ∇f(w) are taken (n evaluations); then
 * v_t = ∇f(w) + (1/q) Σ_{i∈S_t} (∇f_i(x_t) − ∇f_i(w)), 2q evaluations (at the snapshot itself the
 * correction is exactly zero and is skipped). Two schedules:
 * <ul>
 * <li>{@link #hazanLuo}: the box's own — epoch e has N_e = 2^{e+3} − 2 iterations, the k-th of
 *     them (k from 1) a batch q_k = 96(k + 1) (distinct indices, capped at n) and step
 *     γ_k = 2/(k + 1), restarted every epoch (their Theorem 1);</li>
 * <li>{@link #constant}: epochs of m iterations, batch b and the global η_t = 2/(t + 2), the same
 *     structure as Sarah-FW's, so that only the estimator differs (the L-SVRG-type case of the
 *     unified scheme of Nazykov et al. 2024).</li>
 * </ul>
 */
public final class Svrf extends FrankWolfeMethod {
    private final int b, m;
    private final boolean hazanLuo;
    private float[] snapshot, snapshotGradient;

    private Svrf(FiniteSumProblem problem, LinearMinimizationOracle lmo, int batch, int epochLength, boolean hazanLuo, long seed) {
        super(problem, lmo, seed);
        this.b = batch;
        this.m = epochLength;
        this.hazanLuo = hazanLuo;
    }

    /** Epochs of {@code epochLength} iterations, batch {@code batch}, global step 2/(t + 2). */
    public static Svrf constant(FiniteSumProblem problem, LinearMinimizationOracle lmo, int batch, int epochLength, long seed) {
        return new Svrf(problem, lmo, checkBatch(batch, problem.n()), checkEpoch(epochLength), false, seed);
    }

    /** Hazan and Luo's schedule: doubling epochs, batch 96(k + 1), step 2/(k + 1) restarted each epoch. */
    public static Svrf hazanLuo(FiniteSumProblem problem, LinearMinimizationOracle lmo, long seed) {
        return new Svrf(problem, lmo, 0, 0, true, seed);
    }

    @Override public String name() { return hazanLuo ? "SVRF" : "SVRF-const"; }

    /** The 1-based index k of iteration t inside its Hazan–Luo epoch (epoch e has 2^{e+3} − 2 iterations). */
    static long innerIndex(long t) {
        long start = 0;
        for (int e = 1; ; e++) {
            long length = (1L << (e + 3)) - 2;
            if (t < start + length) return t - start + 1;
            start += length;
        }
    }

    @Override
    public double stepSize(long t) { return hazanLuo ? 2.0 / (innerIndex(t) + 1) : super.stepSize(t); }

    @Override
    protected void initEstimator(StateTree state, String prefix) {
        snapshot = state.putFloats(prefix + "/snapshot", new float[dim]);
        snapshotGradient = state.putFloats(prefix + "/snapshot_gradient", new float[dim]);
    }

    @Override
    protected void estimate(long t) {
        boolean epochStart = hazanLuo ? innerIndex(t) == 1 : t % m == 0;
        if (epochStart) {
            copy(x, snapshot);
            oracle.full(snapshot, snapshotGradient);
            copy(snapshotGradient, v);
            return;
        }
        int q = hazanLuo ? (int) Math.min(n, 96 * (innerIndex(t) + 1)) : b;
        copy(snapshotGradient, v);
        sampleBatch(q);
        for (int k = 0; k < q; k++) {
            oracle.addComponent(batch[k], x, 1.0 / q, v);
            oracle.addComponent(batch[k], snapshot, -1.0 / q, v);
        }
    }

    @Override protected long estimatorStateBytes() { return 8L * dim; }
}
