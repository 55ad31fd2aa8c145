package dopt.fw;

/**
 * The counted access to a {@link FiniteSumProblem}: every component gradient a method evaluates
 * adds one to the counter, a full gradient adds n. The counter is a live buffer of the method's
 * state, so a resumed run keeps counting where it stopped.
 */
public final class GradientOracle {
    private final FiniteSumProblem problem;
    private final long[] count;
    private final double[] full;

    /** Counts into {@code count[0]}. */
    public GradientOracle(FiniteSumProblem problem, long[] count) {
        if (count.length != 1) throw new IllegalArgumentException("counter must have one entry, has " + count.length);
        this.problem = problem;
        this.count = count;
        this.full = new double[problem.dim()];
    }

    /** {@code out += scale·∇f_i(x)}; one evaluation. */
    public void addComponent(int i, float[] x, double scale, float[] out) {
        count[0]++;
        problem.addComponentGradient(i, x, scale, out);
    }

    /** {@code out = ∇f(x)}; n evaluations. */
    public void full(float[] x, float[] out) {
        count[0] += problem.n();
        problem.fullGradient(x, full);
        for (int j = 0; j < out.length; j++) out[j] = (float) full[j];
    }

    /** Component gradients evaluated so far. */
    public long evaluations() { return count[0]; }
}
