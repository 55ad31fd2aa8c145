package dopt.fw;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_FDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F32;

/**
 * The nuclear-norm ball {X ∈ R^{rows×cols} : Σ σ_k(X) ≤ r}, matrices flattened row-major. Its
 * extreme points are r·u vᵀ with unit u, v, and ⟨G, r u vᵀ⟩ = r uᵀGv is smallest, −r σ₁(G), at
 * −r·u₁v₁ᵀ from the top singular pair of G (Jaggi 2013, Sec. 4.2; Hazan and Luo 2016, Sec. 5).
 * The singular pair comes from EJML's dense SVD: these matrices are small, and a full SVD has no
 * tolerance to tune, unlike power iteration.
 */
public final class NuclearNormBall implements LinearMinimizationOracle {
    private final int rows, cols;
    private final double radius;
    private final FMatrixRMaj work;
    private final SingularValueDecomposition_F32<FMatrixRMaj> svd;

    public NuclearNormBall(int rows, int cols, double radius) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("matrix shape must be positive: " + rows + "x" + cols);
        this.rows = rows;
        this.cols = cols;
        this.radius = LinearMinimizationOracle.checkRadius(radius);
        this.work = new FMatrixRMaj(rows, cols);
        this.svd = DecompositionFactory_FDRM.svd(rows, cols, true, true, true);
    }

    @Override
    public void minimize(float[] g, float[] s) {
        LinearMinimizationOracle.checkDirection(g, s, rows * cols);
        System.arraycopy(g, 0, work.data, 0, g.length);
        if (!svd.decompose(work)) throw new IllegalStateException("SVD of a " + rows + "x" + cols + " direction did not converge");
        double[] w = singularValues();
        int top = 0;
        for (int k = 1; k < w.length; k++) if (w[k] > w[top]) top = k;
        FMatrixRMaj u = svd.getU(null, false), v = svd.getV(null, false);
        for (int i = 0; i < rows; i++) {
            double ui = -radius * u.get(i, top);
            for (int j = 0; j < cols; j++) s[i * cols + j] = (float) (ui * v.get(j, top));
        }
    }

    /** The nuclear norm Σ σ_k of a flattened rows×cols matrix. */
    public double nuclearNorm(float[] x) {
        System.arraycopy(x, 0, work.data, 0, x.length);
        if (!svd.decompose(work)) throw new IllegalStateException("SVD of a " + rows + "x" + cols + " matrix did not converge");
        double sum = 0;
        for (double sv : singularValues()) sum += sv;
        return sum;
    }

    private double[] singularValues() {
        float[] w = svd.getSingularValues();
        int k = svd.numberOfSingularValues();
        double[] out = new double[k];
        for (int i = 0; i < k; i++) out[i] = w[i];
        return out;
    }

    @Override
    public boolean contains(float[] x, double tol) {
        return x.length == rows * cols && nuclearNorm(x) <= radius + tol;
    }

    @Override public int dim() { return rows * cols; }

    @Override public String describe() { return "nuclear-norm ball " + rows + "x" + cols + " r=" + radius; }
}
