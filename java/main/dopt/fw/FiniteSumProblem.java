package dopt.fw;

/**
 * A smooth finite sum f(x) = (1/n) Σ_{i<n} f_i(x) over R^dim, accessed component by component —
 * the oracle model of stochastic Frank–Wolfe for finite sums (Beznosikov, Dobre and Gidel 2024,
 * problem (1); Nazykov et al. 2024, problem (1)). Methods reach it through a
 * {@link GradientOracle}, which counts the component gradients they pay for; the loss and the full
 * gradient here are also used, uncounted, to trace the Frank–Wolfe gap.
 */
public interface FiniteSumProblem {

    /** The number of components n. */
    int n();

    /** The dimension of x. */
    int dim();

    /** Adds {@code scale}·∇f_i(x) to {@code out}: one component-gradient evaluation. */
    void addComponentGradient(int i, float[] x, double scale, float[] out);

    /** Writes ∇f(x) = (1/n) Σ ∇f_i(x) into {@code out}, accumulated in double: n evaluations. */
    void fullGradient(float[] x, double[] out);

    /** f(x) = (1/n) Σ f_i(x). */
    double loss(float[] x);
}
