package dopt.fw;

import dopt.state.StateTree;

/**
 * Mini-batch stochastic Frank–Wolfe (SFW; Hazan and Luo 2016, Algorithm 1; Reddi et al. 2016,
 * Algorithm 2): v_t = (1/b) Σ_{i∈S_t} ∇f_i(x_t), a fresh batch of b distinct components each
 * iteration, b evaluations. Hazan and Luo grow the batch as O(t²) to make it converge; like the
 * comparisons of Beznosikov, Dobre and Gidel (2024, Sec. 5) we keep it constant, so the gap stalls
 * at a noise floor that shrinks with b.
 */
public final class StochasticFrankWolfe extends FrankWolfeMethod {
    private final int b;

    public StochasticFrankWolfe(FiniteSumProblem problem, LinearMinimizationOracle lmo, int batch, long seed) {
        super(problem, lmo, seed);
        this.b = checkBatch(batch, problem.n());
    }

    @Override public String name() { return "SFW"; }

    @Override protected void initEstimator(StateTree state, String prefix) { }

    @Override
    protected void estimate(long t) {
        zero(v);
        sampleBatch(b);
        for (int k = 0; k < b; k++) oracle.addComponent(batch[k], x, 1.0 / b, v);
    }

    @Override protected long estimatorStateBytes() { return 0; }
}
