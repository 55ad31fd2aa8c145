package dopt.optim;

import dopt.random.Rng;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.SingularOps_FDRM;
import org.ejml.dense.row.factory.DecompositionFactory_FDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F32;

/**
 * An orthonormal basis of a rank-r subspace for the gradient of one m×n matrix, on its smaller
 * side as in GaLore's projector (Zhao et al. 2024, {@code galore_projector.py}): for m ≥ n the
 * right side, basis Q (n×r), low = g·Q (m×r); for m &lt; n the left side, basis P (m×r),
 * low = Pᵀ·g (r×n). The basis lives in a caller-owned buffer (the state tree's).
 */
public final class Projector {
    /** How the basis is chosen at each refresh. */
    public enum Kind { SVD, RANDOM }

    private final int m, n, r;
    private final boolean right;
    private final float[] basis;

    /** {@code basis} must hold {@link #basisSize}(m, n, r) floats. */
    public Projector(int m, int n, int r, float[] basis) {
        if (r < 0 || r > Math.min(m, n)) throw new IllegalArgumentException("rank " + r + " outside 0.." + Math.min(m, n));
        this.m = m;
        this.n = n;
        this.r = r;
        this.right = m >= n;
        this.basis = basis;
    }

    public static int basisSize(int m, int n, int r) { return (m >= n ? n : m) * r; }

    /** Size of the projected gradient: m×r (right side) or r×n (left side). */
    public static int lowSize(int m, int n, int r) { return m >= n ? m * r : r * n; }

    public int rank() { return r; }

    /** A copy of the current basis (before a refresh overwrites it). */
    public float[] basisCopy() { return basis.clone(); }

    /** Re-chooses the basis from gradient {@code g} (SVD) or from {@code rng} (random orthonormal). */
    public void refresh(Kind kind, float[] g, Rng rng) {
        if (r == 0) return;
        int dim = right ? n : m;
        if (kind == Kind.SVD) {
            FMatrixRMaj a = new FMatrixRMaj(m, n);
            System.arraycopy(g, 0, a.data, 0, m * n);
            SingularValueDecomposition_F32<FMatrixRMaj> svd = DecompositionFactory_FDRM.svd(m, n, !right, right, true);
            if (!svd.decompose(a)) {
                // EJML's float SVD fails on some very sparse gradients (a TopK-compressed mean); the zero
                // rows and columns add only zero singular values, so decompose the rest
                if (!compactedSvd(g))
                    throw new IllegalStateException("SVD of a " + m + "x" + n + " gradient did not converge, also without its zero rows and columns");
                return;
            }
            FMatrixRMaj w = svd.getW(null);
            FMatrixRMaj u = right ? null : svd.getU(null, false);
            FMatrixRMaj v = right ? svd.getV(null, false) : null;
            SingularOps_FDRM.descendingOrder(u, false, w, v, false);
            FMatrixRMaj vecs = right ? v : u; // dim × min(m,n), columns = singular vectors
            for (int i = 0; i < dim; i++)
                for (int c = 0; c < r; c++) basis[i * r + c] = vecs.get(i, c);
        } else {
            // Gaussian columns, then modified Gram–Schmidt in double: an orthonormal random basis
            double[] q = new double[dim * r];
            for (int i = 0; i < q.length; i++) q[i] = rng.nextGaussian();
            for (int c = 0; c < r; c++) {
                for (int prev = 0; prev < c; prev++) {
                    double dot = 0;
                    for (int i = 0; i < dim; i++) dot += q[i * r + c] * q[i * r + prev];
                    for (int i = 0; i < dim; i++) q[i * r + c] -= dot * q[i * r + prev];
                }
                double norm = 0;
                for (int i = 0; i < dim; i++) norm += q[i * r + c] * q[i * r + c];
                norm = Math.sqrt(norm);
                for (int i = 0; i < dim; i++) q[i * r + c] /= norm;
            }
            for (int i = 0; i < q.length; i++) basis[i] = (float) q[i];
        }
    }

    /**
     * The basis from the SVD of g without its all-zero rows and columns: the singular vectors of the
     * nonzero block (full, so that zero singular values still give orthonormal directions), embedded in
     * the basis side's coordinates, then unit vectors of the zero rows (left) or columns (right) where
     * r exceeds the block's side. False when even the block does not converge.
     */
    private boolean compactedSvd(float[] g) {
        boolean[] rowUsed = new boolean[m], colUsed = new boolean[n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                if (g[i * n + j] != 0) rowUsed[i] = colUsed[j] = true;
        int[] rows = used(rowUsed), cols = used(colUsed);
        int[] side = right ? cols : rows;
        boolean[] sideUsed = right ? colUsed : rowUsed;
        java.util.Arrays.fill(basis, 0f);
        int filled = 0;
        if (rows.length > 0 && cols.length > 0) {
            FMatrixRMaj sub = new FMatrixRMaj(rows.length, cols.length);
            for (int i = 0; i < rows.length; i++)
                for (int j = 0; j < cols.length; j++) sub.set(i, j, g[rows[i] * n + cols[j]]);
            SingularValueDecomposition_F32<FMatrixRMaj> svd = DecompositionFactory_FDRM.svd(rows.length, cols.length, !right, right, false);
            if (!svd.decompose(sub)) return false;
            FMatrixRMaj w = svd.getW(null);
            FMatrixRMaj u = right ? null : svd.getU(null, false);
            FMatrixRMaj v = right ? svd.getV(null, false) : null;
            SingularOps_FDRM.descendingOrder(u, false, w, v, false);
            FMatrixRMaj vecs = right ? v : u; // side.length × side.length
            filled = Math.min(r, side.length);
            for (int i = 0; i < side.length; i++)
                for (int c = 0; c < filled; c++) basis[side[i] * r + c] = vecs.get(i, c);
        }
        for (int i = 0, c = filled; c < r; i++)
            if (!sideUsed[i]) basis[i * r + c++] = 1f;
        return true;
    }

    private static int[] used(boolean[] flags) {
        int k = 0;
        for (boolean f : flags) if (f) k++;
        int[] out = new int[k];
        for (int i = 0, j = 0; i < flags.length; i++) if (flags[i]) out[j++] = i;
        return out;
    }

    /** low = the gradient's coordinates in the subspace. */
    public void project(float[] g, float[] low) {
        if (r == 0) return;
        if (right) dopt.tensor.Dense.matmul(g, basis, low, m, n, r);
        else dopt.tensor.Dense.matmulAT(basis, g, low, r, m, n);
    }

    /** out (m×n) = the subspace vector {@code low} mapped back. */
    public void projectBack(float[] low, float[] out) {
        if (r == 0) {
            java.util.Arrays.fill(out, 0, m * n, 0f);
            return;
        }
        if (right) dopt.tensor.Dense.matmulBT(low, basis, out, m, r, n);
        else dopt.tensor.Dense.matmul(basis, low, out, m, r, n);
    }

    /**
     * Carries Adam's moments from the subspace of {@code oldBasis} into this projector's (new)
     * basis, in place: with R = B_oldᵀ B_new (r×r), the first moment's coordinates become
     * M·R (right side, M m×r) or Rᵀ·M (left side, M r×n), which is P_newᵀ P_old m written in
     * coordinates; the second moment, a per-coordinate variance, becomes V·(R∘R) or (R∘R)ᵀ·V, the
     * variances of independent coordinates carried by the same map. Both are unchanged when a
     * basis column flips sign (R's row or column flips, R∘R does not, and the first moment flips
     * with its column), so the step no longer depends on the signs an SVD library picks. Allocates
     * (it runs at a refresh only).
     */
    public void transport(float[] oldBasis, float[] mu, float[] nu) {
        if (r == 0) return;
        int dim = right ? n : m, other = right ? m : n;
        double[] rot = new double[r * r];
        for (int a = 0; a < r; a++)
            for (int b = 0; b < r; b++) {
                double d = 0;
                for (int i = 0; i < dim; i++) d += (double) oldBasis[i * r + a] * basis[i * r + b];
                rot[a * r + b] = d;
            }
        double[] row = new double[r];
        for (int k = 0; k < 2; k++) {
            float[] x = k == 0 ? mu : nu;
            for (int o = 0; o < other; o++) {
                // right: row o of M (m×r) times R; left: column o of M (r×n) times R, i.e. Rᵀ·M
                for (int b = 0; b < r; b++) {
                    double acc = 0;
                    for (int a = 0; a < r; a++) {
                        double w = rot[a * r + b];
                        acc += (k == 0 ? w : w * w) * (right ? x[o * r + a] : x[a * n + o]);
                    }
                    row[b] = acc;
                }
                for (int b = 0; b < r; b++) {
                    if (right) x[o * r + b] = (float) row[b];
                    else x[b * n + o] = (float) row[b];
                }
            }
        }
    }
}
