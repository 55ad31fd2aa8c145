package dopt.fw;

import dopt.state.StateTree;

/** Deterministic Frank–Wolfe (Frank and Wolfe 1956; Jaggi 2013, Algorithm 1): v_t = ∇f(x_t), n evaluations per iteration. */
public final class FrankWolfe extends FrankWolfeMethod {

    public FrankWolfe(FiniteSumProblem problem, LinearMinimizationOracle lmo) { super(problem, lmo, 0); }

    @Override public String name() { return "FW"; }

    @Override protected void initEstimator(StateTree state, String prefix) { }

    @Override protected void estimate(long t) { oracle.full(x, v); }

    @Override protected long estimatorStateBytes() { return 0; }
}
