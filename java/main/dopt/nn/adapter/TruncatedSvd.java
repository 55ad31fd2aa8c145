package dopt.nn.adapter;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.SingularOps_FDRM;
import org.ejml.dense.row.factory.DecompositionFactory_FDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F32;

/**
 * The rank-r truncated SVD {@code M ≈ U_r·diag(s)·V_rᵀ} of an m×n matrix, singular values in
 * decreasing order; by Eckart–Young the best rank-r approximation in Frobenius and spectral norm.
 * Computed with EJML's dense float SVD (the full thin decomposition, then the first r triplets),
 * which for the adapter sizes here (at most a few hundred rows) costs milliseconds.
 *
 * @param u  m×r, row-major, orthonormal columns
 * @param s  the r largest singular values, decreasing
 * @param vt r×n, row-major, orthonormal rows (V_rᵀ)
 */
public record TruncatedSvd(int m, int n, int r, float[] u, float[] s, float[] vt) {

    /** The rank-{@code r} truncated SVD of {@code w} (m×n, row-major). */
    public static TruncatedSvd of(float[] w, int m, int n, int r) {
        if (m < 1 || n < 1 || w.length < m * n) throw new IllegalArgumentException("matrix " + m + "x" + n + " needs " + m * n + " values, got " + w.length);
        if (r < 1 || r > Math.min(m, n)) throw new IllegalArgumentException("rank " + r + " outside 1.." + Math.min(m, n) + " for a " + m + "x" + n + " matrix");
        for (int i = 0; i < m * n; i++)
            if (!Float.isFinite(w[i])) throw new IllegalArgumentException("matrix entry " + i + " is " + w[i] + "; the SVD needs finite values");
        FMatrixRMaj a = new FMatrixRMaj(m, n);
        System.arraycopy(w, 0, a.data, 0, m * n);
        SingularValueDecomposition_F32<FMatrixRMaj> svd = DecompositionFactory_FDRM.svd(m, n, true, true, true);
        if (!svd.decompose(a)) throw new IllegalStateException("SVD of a " + m + "x" + n + " matrix did not converge");
        FMatrixRMaj uu = svd.getU(null, false), ww = svd.getW(null), vv = svd.getV(null, false);
        SingularOps_FDRM.descendingOrder(uu, false, ww, vv, false);
        float[] u = new float[m * r], s = new float[r], vt = new float[r * n];
        for (int c = 0; c < r; c++) {
            s[c] = ww.get(c, c);
            for (int i = 0; i < m; i++) u[i * r + c] = uu.get(i, c);
            for (int j = 0; j < n; j++) vt[c * n + j] = vv.get(j, c);
        }
        return new TruncatedSvd(m, n, r, u, s, vt);
    }

    /** U_r·diag(s)·V_rᵀ (m×n), in double for tests and diagnostics. */
    public double[] reconstruct() {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int c = 0; c < r; c++) {
                double us = (double) u[i * r + c] * s[c];
                for (int j = 0; j < n; j++) out[i * n + j] += us * vt[c * n + j];
            }
        return out;
    }
}
