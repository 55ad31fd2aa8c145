package dopt.sampling;

/**
 * Small dense symmetric matrices as flat row-major {@code double[n*n]}: Cholesky solves, the
 * inverse, a cyclic Jacobi eigendecomposition and the principal square root. Sizes here are a
 * few dozen, where Jacobi is exact to rounding and simple to read; nothing is allocated per entry.
 */
public final class SymmetricMatrices {
    private SymmetricMatrices() { }

    /** Lower-triangular L with L Lᵀ = a; an IllegalArgumentException if a is not positive definite. */
    public static double[] cholesky(double[] a, int n) {
        check(a, n);
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                if (i == j) {
                    if (!(s > 0)) throw new IllegalArgumentException("matrix is not positive definite (pivot " + i + " = " + s + ")");
                    l[i * n + i] = Math.sqrt(s);
                } else {
                    l[i * n + j] = s / l[j * n + j];
                }
            }
        }
        return l;
    }

    /** Solves a x = b for positive definite a. */
    public static double[] solvePositiveDefinite(double[] a, double[] b, int n) {
        if (b.length != n) throw new IllegalArgumentException("right-hand side has " + b.length + " entries, matrix order " + n);
        double[] l = cholesky(a, n), x = b.clone();
        for (int i = 0; i < n; i++) {
            double s = x[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * x[k];
            x[i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = x[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
            x[i] = s / l[i * n + i];
        }
        return x;
    }

    /** The inverse of a positive definite a, column by column through the Cholesky factor. */
    public static double[] inversePositiveDefinite(double[] a, int n) {
        double[] inv = new double[n * n], e = new double[n];
        for (int j = 0; j < n; j++) {
            java.util.Arrays.fill(e, 0);
            e[j] = 1;
            double[] col = solvePositiveDefinite(a, e, n);
            for (int i = 0; i < n; i++) inv[i * n + j] = col[i];
        }
        return inv;
    }

    /**
     * Eigendecomposition a = V diag(values) Vᵀ by cyclic Jacobi rotations (Golub and Van Loan,
     * Matrix Computations, Algorithm 8.5.3). {@code vectors} receives V row-major (eigenvectors in
     * columns).
     */
    public static void eigen(double[] a, int n, double[] values, double[] vectors) {
        check(a, n);
        double[] m = a.clone();
        for (int i = 0; i < n * n; i++) vectors[i] = 0;
        for (int i = 0; i < n; i++) vectors[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, total = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) {
                    total += m[i * n + j] * m[i * n + j];
                    if (i != j) off += m[i * n + j] * m[i * n + j];
                }
            if (off <= 1e-30 * total || off == 0) break;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = m[p * n + q];
                    if (apq == 0) continue;
                    double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) { // columns p, q
                        double mkp = m[k * n + p], mkq = m[k * n + q];
                        m[k * n + p] = c * mkp - s * mkq;
                        m[k * n + q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) { // rows p, q
                        double mpk = m[p * n + k], mqk = m[q * n + k];
                        m[p * n + k] = c * mpk - s * mqk;
                        m[q * n + k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = vectors[k * n + p], vkq = vectors[k * n + q];
                        vectors[k * n + p] = c * vkp - s * vkq;
                        vectors[k * n + q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) values[i] = m[i * n + i];
    }

    /** The positive semi-definite square root V diag(√max(λ, 0)) Vᵀ of a symmetric a. */
    public static double[] sqrtPsd(double[] a, int n) {
        double[] values = new double[n], v = new double[n * n], out = new double[n * n];
        eigen(a, n, values, v);
        for (int k = 0; k < n; k++) {
            double r = Math.sqrt(Math.max(values[k], 0));
            for (int i = 0; i < n; i++) {
                double vik = v[i * n + k] * r;
                for (int j = 0; j < n; j++) out[i * n + j] += vik * v[j * n + k];
            }
        }
        return out;
    }

    /** c = a b for n×n matrices. */
    public static double[] multiply(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
            }
        return c;
    }

    private static void check(double[] a, int n) {
        if (n < 1 || a.length != n * n) throw new IllegalArgumentException("matrix of order " + n + " needs " + n * n + " entries, has " + a.length);
        for (double v : a) if (!Double.isFinite(v)) throw new IllegalArgumentException("matrix has a non-finite entry: " + v);
    }
}
