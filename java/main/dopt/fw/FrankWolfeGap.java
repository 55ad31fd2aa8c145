package dopt.fw;

/**
 * The Frank–Wolfe gap g(x) = max_{s∈C} ⟨∇f(x), x − s⟩ = ⟨∇f(x), x − LMO(∇f(x))⟩, the
 * convergence measure of the Frank–Wolfe literature (Jaggi 2013, eq. (4); the criterion of
 * Beznosikov, Dobre and Gidel 2024 and Nazykov et al. 2024). It is non-negative on C, zero exactly
 * at the constrained stationary points, and bounds f(x) − f* from above for convex f. Computed
 * with the full gradient of the problem directly, so it never adds to a method's count.
 */
public final class FrankWolfeGap {
    private final FiniteSumProblem problem;
    private final LinearMinimizationOracle lmo;
    private final double[] grad;
    private final float[] gradF, s;

    public FrankWolfeGap(FiniteSumProblem problem, LinearMinimizationOracle lmo) {
        if (problem.dim() != lmo.dim())
            throw new IllegalArgumentException("problem dimension " + problem.dim() + " != set dimension " + lmo.dim());
        this.problem = problem;
        this.lmo = lmo;
        this.grad = new double[problem.dim()];
        this.gradF = new float[problem.dim()];
        this.s = new float[problem.dim()];
    }

    /** g(x). */
    public double at(float[] x) {
        problem.fullGradient(x, grad);
        for (int j = 0; j < grad.length; j++) gradF[j] = (float) grad[j];
        lmo.minimize(gradF, s);
        double gap = 0;
        for (int j = 0; j < grad.length; j++) gap += grad[j] * ((double) x[j] - s[j]);
        return gap;
    }

    /** ‖∇f(x)‖_∞, from the gradient of the last {@link #at} call. */
    public double lastGradientMaxNorm() {
        double m = 0;
        for (double g : grad) m = Math.max(m, Math.abs(g));
        return m;
    }
}
