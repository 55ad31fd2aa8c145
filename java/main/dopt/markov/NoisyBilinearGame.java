package dopt.markov;

/**
 * The operator of the strongly monotone game min_u max_v ½ μ|u|² + uᵀ A v − ½ μ|v|² − bᵀu + cᵀv
 * (u, v ∈ R^m, A m×m row-major) with additive chain noise:
 * F((u, v), z) = (μ u + A v − b, μ v − Aᵀ u + c) + z. F is μ-strongly monotone (its skew part
 * drops out of ⟨F(x) − F(y), x − y⟩), so the VI has one solution, {@link #solution}.
 */
public final class NoisyBilinearGame implements StochasticOperator {
    private final int m;
    private final double mu;
    private final double[] a, b, c;

    public NoisyBilinearGame(int m, double mu, double[] a, double[] b, double[] c) {
        if (m < 1 || a.length != m * m || b.length != m || c.length != m) throw new IllegalArgumentException("game of size " + m + " needs A m*m, b and c of length m");
        if (!(mu > 0 && Double.isFinite(mu))) throw new IllegalArgumentException("strong monotonicity mu must be positive: " + mu);
        this.m = m;
        this.mu = mu;
        this.a = a.clone();
        this.b = b.clone();
        this.c = c.clone();
    }

    @Override public int dim() { return 2 * m; }

    @Override public void apply(double[] x, double[] z, double[] out) {
        for (int i = 0; i < m; i++) {
            double av = 0, atu = 0;
            for (int j = 0; j < m; j++) {
                av += a[i * m + j] * x[m + j];
                atu += a[j * m + i] * x[j];
            }
            out[i] = mu * x[i] + av - b[i] + z[i];
            out[m + i] = mu * x[m + i] - atu + c[i] + z[m + i];
        }
    }

    /**
     * The solution of F(u, v) = 0 (noise-free): (μ² I + A Aᵀ) u = μ b + A c, then v = (Aᵀu − c)/μ,
     * solved by Gaussian elimination with partial pivoting (the matrix is symmetric positive definite).
     */
    public double[] solution() {
        double[] mat = new double[m * m], rhs = new double[m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < m; k++) s += a[i * m + k] * a[j * m + k];
                mat[i * m + j] = s + (i == j ? mu * mu : 0);
            }
            double ac = 0;
            for (int k = 0; k < m; k++) ac += a[i * m + k] * c[k];
            rhs[i] = mu * b[i] + ac;
        }
        double[] u = solve(mat, rhs, m);
        double[] x = new double[2 * m];
        System.arraycopy(u, 0, x, 0, m);
        for (int i = 0; i < m; i++) {
            double atu = 0;
            for (int j = 0; j < m; j++) atu += a[j * m + i] * u[j];
            x[m + i] = (atu - c[i]) / mu;
        }
        return x;
    }

    private static double[] solve(double[] mat, double[] rhs, int n) {
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(mat[r * n + col]) > Math.abs(mat[piv * n + col])) piv = r;
            if (piv != col) {
                for (int k = 0; k < n; k++) { double t = mat[col * n + k]; mat[col * n + k] = mat[piv * n + k]; mat[piv * n + k] = t; }
                double t = rhs[col]; rhs[col] = rhs[piv]; rhs[piv] = t;
            }
            for (int r = col + 1; r < n; r++) {
                double f = mat[r * n + col] / mat[col * n + col];
                for (int k = col; k < n; k++) mat[r * n + k] -= f * mat[col * n + k];
                rhs[r] -= f * rhs[col];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = rhs[r];
            for (int k = r + 1; k < n; k++) s -= mat[r * n + k] * x[k];
            x[r] = s / mat[r * n + r];
        }
        return x;
    }
}
