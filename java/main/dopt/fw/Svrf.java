package dopt.fw;

import dopt.state.StateTree;

/**
 * Stochastic variance-reduced Frank–Wolfe (SVRF; Hazan and Luo 2016, Algorithm 2): every m
 * iterations the snapshot w ← x_t and its full gradient ∇f(w) are taken (n evaluations, and
 * v_t = ∇f(w) at that iteration); in between v_t = ∇f(w) + (1/b) Σ_{i∈S_t} (∇f_i(x_t) − ∇f_i(w)),
 * 2b evaluations. Hazan and Luo double the epoch length, grow the batch with the inner index and
 * restart the step size each epoch; here, as in the unified comparison of Nazykov et al. (2024),
 * the epoch length m and batch b are constant and η_t = 2/(t + 2) runs on across epochs.
 */
public final class Svrf extends FrankWolfeMethod {
    private final int b, m;
    private float[] snapshot, snapshotGradient;

    public Svrf(FiniteSumProblem problem, LinearMinimizationOracle lmo, int batch, int epochLength, long seed) {
        super(problem, lmo, seed);
        this.b = checkBatch(batch, problem.n());
        this.m = checkEpoch(epochLength);
    }

    @Override public String name() { return "SVRF"; }

    @Override
    protected void initEstimator(StateTree state, String prefix) {
        snapshot = state.putFloats(prefix + "/snapshot", new float[dim]);
        snapshotGradient = state.putFloats(prefix + "/snapshot_gradient", new float[dim]);
    }

    @Override
    protected void estimate(long t) {
        if (t % m == 0) {
            copy(x, snapshot);
            oracle.full(snapshot, snapshotGradient);
            copy(snapshotGradient, v);
            return;
        }
        copy(snapshotGradient, v);
        sampleBatch(b);
        for (int k = 0; k < b; k++) {
            oracle.addComponent(batch[k], x, 1.0 / b, v);
            oracle.addComponent(batch[k], snapshot, -1.0 / b, v);
        }
    }

    @Override protected long estimatorStateBytes() { return 8L * dim; }
}
