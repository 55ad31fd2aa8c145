package dopt.fw;

/**
 * The ℓ1 ball {x : ‖x‖₁ ≤ r}. Its vertices are ±r·e_i, and ⟨g, ±r e_i⟩ = ±r g_i is smallest at
 * i = argmax |g_i| with the sign opposite to g_i (Jaggi 2013, "Revisiting Frank–Wolfe", Sec. 4.1).
 * Ties go to the lowest index, so the oracle is deterministic.
 */
public final class L1Ball implements LinearMinimizationOracle {
    private final int dim;
    private final double radius;

    public L1Ball(int dim, double radius) {
        if (dim < 1) throw new IllegalArgumentException("dimension must be positive: " + dim);
        this.dim = dim;
        this.radius = LinearMinimizationOracle.checkRadius(radius);
    }

    public double radius() { return radius; }

    @Override
    public void minimize(float[] g, float[] s) {
        LinearMinimizationOracle.checkDirection(g, s, dim);
        int best = 0;
        float bestAbs = Math.abs(g[0]);
        for (int i = 1; i < dim; i++) {
            float a = Math.abs(g[i]);
            if (a > bestAbs) { bestAbs = a; best = i; }
        }
        for (int i = 0; i < dim; i++) s[i] = 0f;
        // g = 0: every point is a minimiser; the vertex +r e_0 is as good as any
        s[best] = (float) (g[best] > 0 ? -radius : radius);
    }

    @Override
    public boolean contains(float[] x, double tol) {
        double sum = 0;
        for (float v : x) sum += Math.abs(v);
        return x.length == dim && sum <= radius + tol;
    }

    @Override public int dim() { return dim; }

    @Override public String describe() { return "l1 ball r=" + radius; }
}
