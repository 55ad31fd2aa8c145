package dopt.fw;

/**
 * The one access a Frank–Wolfe method has to its compact convex set C: given a direction g, a
 * point s ∈ C with ⟨g, s⟩ = min over C (attained at a vertex/extreme point), written into a
 * caller-supplied buffer so that the hot loop allocates nothing.
 */
public interface LinearMinimizationOracle {

    /** Writes into {@code s} a minimiser of ⟨g, s⟩ over the set; {@code g} and {@code s} have length {@link #dim()}. */
    void minimize(float[] g, float[] s);

    /** Whether {@code x} lies in the set up to {@code tol} (in the set's own norm). */
    boolean contains(float[] x, double tol);

    /** The length of the vectors the set lives in. */
    int dim();

    /** A short description for reports, e.g. {@code "l1 ball r=5"}. */
    String describe();

    /** Checks a radius: finite and positive. */
    static double checkRadius(double r) {
        if (!(r > 0) || !Double.isFinite(r)) throw new IllegalArgumentException("radius must be finite and positive: " + r);
        return r;
    }

    /** Checks that a direction has the oracle's length and no NaN/Inf (an argmin of NaN is meaningless). */
    static void checkDirection(float[] g, float[] s, int dim) {
        if (g.length != dim || s.length != dim)
            throw new IllegalArgumentException("direction length " + g.length + " / output length " + s.length + " != dimension " + dim);
        for (int i = 0; i < g.length; i++)
            if (!Float.isFinite(g[i])) throw new IllegalArgumentException("direction has a non-finite entry g[" + i + "] = " + g[i]);
    }
}
