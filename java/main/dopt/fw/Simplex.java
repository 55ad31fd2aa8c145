package dopt.fw;

/**
 * The probability simplex {x ≥ 0 : Σ x_i = 1}. Its vertices are the unit vectors e_i, and
 * ⟨g, e_i⟩ = g_i is smallest at i = argmin g_i (Jaggi 2013, Sec. 4.1). Ties go to the lowest index.
 */
public final class Simplex implements LinearMinimizationOracle {
    private final int dim;

    public Simplex(int dim) {
        if (dim < 1) throw new IllegalArgumentException("dimension must be positive: " + dim);
        this.dim = dim;
    }

    @Override
    public void minimize(float[] g, float[] s) {
        LinearMinimizationOracle.checkDirection(g, s, dim);
        int best = 0;
        for (int i = 1; i < dim; i++) if (g[i] < g[best]) best = i;
        for (int i = 0; i < dim; i++) s[i] = 0f;
        s[best] = 1f;
    }

    @Override
    public boolean contains(float[] x, double tol) {
        if (x.length != dim) return false;
        double sum = 0;
        for (float v : x) {
            if (v < -tol) return false;
            sum += v;
        }
        return Math.abs(sum - 1) <= tol;
    }

    @Override public int dim() { return dim; }

    @Override public String describe() { return "simplex"; }
}
