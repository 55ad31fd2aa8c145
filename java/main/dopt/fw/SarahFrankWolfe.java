package dopt.fw;

import dopt.state.StateTree;

/**
 * Sarah-FW (Beznosikov, Dobre and Gidel 2024, "Sarah Frank-Wolfe", Algorithm 1): the SARAH
 * recursive estimator (Nguyen et al. 2017) inside Frank–Wolfe,
 * v_t = v_{t−1} + (1/b) Σ_{i∈S_t} (∇f_i(x_t) − ∇f_i(x_{t−1})), 2b evaluations, with a full gradient
 * (n evaluations) at the start of every epoch of m iterations, as methods.md B4 specifies. The
 * paper's algorithm box could not be read with our tools (only its abstract and summaries, searched
 * again on 2026-12-07), so this follows the abstract, the spec and SARAH itself; the paper may draw
 * the restart by a coin of probability p (loopless) instead, which has the same expected cost
 * m = 1/p. Batch and epoch stay constant: no large batches.
 */
public final class SarahFrankWolfe extends FrankWolfeMethod {
    private final int b, m;
    private float[] previous;

    public SarahFrankWolfe(FiniteSumProblem problem, LinearMinimizationOracle lmo, int batch, int epochLength, long seed) {
        super(problem, lmo, seed);
        this.b = checkBatch(batch, problem.n());
        this.m = checkEpoch(epochLength);
    }

    @Override public String name() { return "Sarah-FW"; }

    @Override
    protected void initEstimator(StateTree state, String prefix) {
        previous = state.putFloats(prefix + "/x_previous", new float[dim]);
    }

    @Override
    protected void estimate(long t) {
        if (t % m == 0) {
            oracle.full(x, v);
        } else {
            sampleBatch(b);
            for (int k = 0; k < b; k++) {
                oracle.addComponent(batch[k], x, 1.0 / b, v);
                oracle.addComponent(batch[k], previous, -1.0 / b, v);
            }
        }
        copy(x, previous);
    }

    @Override protected long estimatorStateBytes() { return 4L * dim; }
}
