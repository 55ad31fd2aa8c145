package dopt.experiments.clients;

import dopt.random.Rng;

/**
 * A synthetic (L0,L1)-smooth polynomial split over clients:
 * fᵢ(x) = Σⱼ [aᵢⱼ (xⱼ − sᵢⱼ)⁴/4 + bᵢⱼ (xⱼ − sᵢⱼ)²/2], aᵢⱼ ~ U[0.5, 1.5], bᵢⱼ ~ U[0, 1],
 * sᵢⱼ ~ N(0, 1) (each client pulls towards its own centre, so the clients' gradients differ and
 * the compression error matters), started at x⁰ⱼ ~ N(0, spread²).
 *
 * <p>Why this function: the ‖EF21‖ paper (Khirirat et al. 2024, arXiv:2410.16871, Figure 1)
 * minimises a polynomial but we did not find its exact definition, so this is our stand-in of the
 * kind the brief names (Σ a x⁴ + b x²). A univariate polynomial p of degree ≥ 2 is
 * (L0,L1)-smooth, |p''| ≤ L0 + L1|p'| (Zhang, He, Sra and Jadbabaie 2020, "Why gradient clipping
 * accelerates training", Section 3), and f is a separable sum of such with ‖∇²f‖ = maxⱼ φⱼ'' and
 * ‖∇f‖ ≥ |φⱼ'|, so f is (L0,L1)-smooth too, but not L-smooth: the curvature grows as x², so
 * gradient descent needs γ &lt; 2/f''(x⁰), ever smaller the further it starts.
 *
 * <p>f is a sum over coordinates of convex univariate quartics φⱼ with φⱼ'' ≥ mean bᵢⱼ &gt; 0, so
 * {@link #optimum()} is exact: each φⱼ' is increasing and its root is found by bisection between
 * the smallest and the largest centre.
 */
public final class SeparableQuartic implements ClientProblem {
    private final int dim, clients;
    private final float[] a, b, s;        // [clients × dim]
    private final float[] x0;
    private final double optimum;

    /** A random instance with {@code dim} coordinates over {@code clients} clients, x⁰ ~ N(0, spread²). */
    public SeparableQuartic(int dim, int clients, double spread, long seed) {
        if (dim < 1 || clients < 1) throw new IllegalArgumentException("need dim >= 1 and clients >= 1, got " + dim + ", " + clients);
        if (!(spread > 0) || Double.isInfinite(spread)) throw new IllegalArgumentException("spread must be positive and finite: " + spread);
        this.dim = dim;
        this.clients = clients;
        Rng rng = Rng.derive(seed, 0x9047);
        a = new float[clients * dim];
        b = new float[clients * dim];
        s = new float[clients * dim];
        for (int k = 0; k < a.length; k++) {
            a[k] = (float) (0.5 + rng.nextDouble());
            b[k] = (float) rng.nextDouble();
            s[k] = (float) rng.nextGaussian();
        }
        x0 = new float[dim];
        for (int j = 0; j < dim; j++) x0[j] = (float) (spread * rng.nextGaussian());
        optimum = solveOptimum();
    }

    /** A given instance: coefficients [clients × dim] row-major by client (for hand-checked tests). */
    SeparableQuartic(int dim, float[] a, float[] b, float[] s, float[] x0) {
        if (dim < 1 || a.length % dim != 0 || a.length == 0 || b.length != a.length || s.length != a.length || x0.length != dim)
            throw new IllegalArgumentException("coefficients must be [clients x " + dim + "] and x0 [" + dim + "]");
        this.dim = dim;
        this.clients = a.length / dim;
        this.a = a.clone();
        this.b = b.clone();
        this.s = s.clone();
        this.x0 = x0.clone();
        optimum = solveOptimum();
    }

    @Override public int dim() { return dim; }
    @Override public int clients() { return clients; }
    @Override public void start(float[] x) { System.arraycopy(x0, 0, x, 0, dim); }
    @Override public double optimum() { return optimum; }

    @Override
    public double gradient(int client, float[] x, float[] grad) {
        double f = 0;
        int off = client * dim;
        for (int j = 0; j < dim; j++) {
            double u = x[j] - s[off + j], u2 = u * u;
            f += a[off + j] * u2 * u2 / 4 + b[off + j] * u2 / 2;
            grad[j] = (float) (a[off + j] * u2 * u + b[off + j] * u);
        }
        return f;
    }

    @Override
    public double loss(float[] x) {
        double f = 0;
        for (int j = 0; j < dim; j++) f += coordinate(j, x[j]);
        return f;
    }

    /** φⱼ(t) = (1/n) Σᵢ [aᵢⱼ (t − sᵢⱼ)⁴/4 + bᵢⱼ (t − sᵢⱼ)²/2]. */
    private double coordinate(int j, double t) {
        double f = 0;
        for (int i = 0; i < clients; i++) {
            double u = t - s[i * dim + j], u2 = u * u;
            f += a[i * dim + j] * u2 * u2 / 4 + b[i * dim + j] * u2 / 2;
        }
        return f / clients;
    }

    private double slope(int j, double t) {
        double g = 0;
        for (int i = 0; i < clients; i++) {
            double u = t - s[i * dim + j];
            g += a[i * dim + j] * u * u * u + b[i * dim + j] * u;
        }
        return g / clients;
    }

    private double solveOptimum() {
        double f = 0;
        for (int j = 0; j < dim; j++) f += coordinate(j, argminCoordinate(j));
        return f;
    }

    /** The minimiser's coordinate j: φⱼ' ≤ 0 at the smallest centre and ≥ 0 at the largest; 100 halvings reach double precision. */
    double argminCoordinate(int j) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < clients; i++) {
            lo = Math.min(lo, s[i * dim + j]);
            hi = Math.max(hi, s[i * dim + j]);
        }
        for (int it = 0; it < 100 && hi > lo; it++) {
            double mid = 0.5 * (lo + hi);
            if (slope(j, mid) > 0) hi = mid;
            else lo = mid;
        }
        return 0.5 * (lo + hi);
    }

    @Override
    public String describe() {
        return "synthetic separable quartic, d = " + dim + ", " + clients + " clients, f_i(x) = sum_j a_ij (x_j - s_ij)^4/4 + b_ij (x_j - s_ij)^2/2";
    }
}
