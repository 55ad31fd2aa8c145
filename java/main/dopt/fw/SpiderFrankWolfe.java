package dopt.fw;

import dopt.state.StateTree;

/**
 * SPIDER-FW (Yurtsever, Sra and Cevher 2019, "Conditional gradient methods via stochastic
 * path-integrated differential estimator", Algorithm 2, finite-sum case): epoch e = 1, 2, … has
 * K_e = 2^{e−1} iterations; its first iteration takes the full gradient (n evaluations), the others
 * v_t = v_{t−1} + (1/|S|) Σ_{i∈S} (∇f_i(x_t) − ∇f_i(x_{t−1})) with a batch of |S| = K_e distinct
 * components (capped at n), 2|S| evaluations. Their step 2/(K_e + k) at the k-th iteration of
 * epoch e is η_t = 2/(t + 2) in the global index t, so the template's step is theirs. The growing
 * batch is what Sarah-FW does away with.
 */
public final class SpiderFrankWolfe extends FrankWolfeMethod {
    private float[] previous;

    public SpiderFrankWolfe(FiniteSumProblem problem, LinearMinimizationOracle lmo, long seed) { super(problem, lmo, seed); }

    @Override public String name() { return "SPIDER-FW"; }

    @Override
    protected void initEstimator(StateTree state, String prefix) {
        previous = state.putFloats(prefix + "/x_previous", new float[dim]);
    }

    /** Epochs start at t = 2^{e−1} − 1, i.e. where t + 1 is a power of two. */
    static boolean epochStart(long t) { return Long.bitCount(t + 1) == 1; }

    /** The inner batch at iteration t: the epoch length K_e = largest power of two ≤ t + 1, capped at n. */
    static int innerBatch(long t, int n) { return (int) Math.min(n, Long.highestOneBit(t + 1)); }

    @Override
    protected void estimate(long t) {
        if (epochStart(t)) {
            oracle.full(x, v);
        } else {
            int q = innerBatch(t, n);
            sampleBatch(q);
            for (int k = 0; k < q; k++) {
                oracle.addComponent(batch[k], x, 1.0 / q, v);
                oracle.addComponent(batch[k], previous, -1.0 / q, v);
            }
        }
        copy(x, previous);
    }

    @Override protected long estimatorStateBytes() { return 4L * dim; }
}
