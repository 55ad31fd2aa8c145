package dopt.experiments.clients;

/**
 * An objective f(x) = (1/n) Σᵢ fᵢ(x) over a flat parameter vector x ∈ ℝᵈ, fᵢ held by client i.
 * A problem instance is built for one run: its mini-batch streams (if any) start afresh, so two
 * runs from the same seed see the same batches.
 */
public interface ClientProblem {

    int dim();

    int clients();

    /** Writes the starting point x⁰ into {@code x[0, dim)}. */
    void start(float[] x);

    /**
     * Client {@code client}'s gradient at {@code x} (its full local gradient, or a mini-batch one
     * for stochastic problems) into {@code grad}; returns the loss that gradient belongs to.
     */
    double gradient(int client, float[] x, float[] grad);

    /** f(x) on all of the clients' data. */
    double loss(float[] x);

    /** The optimal value f*, or NaN when it is not known. */
    default double optimum() { return Double.NaN; }

    /** Accuracy on a held-out test set, or NaN when the problem has none. */
    default double testAccuracy(float[] x) { return Double.NaN; }

    /** One line for the report: what the problem is, its size, and whether the data are synthetic. */
    String describe();
}
