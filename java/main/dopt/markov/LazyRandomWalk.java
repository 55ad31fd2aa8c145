package dopt.markov;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * Lazy random walk over a finite set of n points (data rows): at each step it stays where it is
 * with probability 1 − p and otherwise jumps to a uniformly chosen point (the walk on the
 * complete graph with self-loops). Its kernel is P = (1 − p) I + p Π, Π the uniform projection,
 * so P^t(i, ·) − π = (1 − p)^t (δ_i − π): the uniform law is stationary, every non-trivial
 * eigenvalue is 1 − p and the relaxation time is exactly τ = 1/p. τ = 1 gives i.i.d. uniform
 * sampling of the rows. The walk starts at a uniformly chosen point, i.e. in its stationary law.
 * Its state, the point's index and the RNG words, goes into a state tree by {@link #register}.
 */
public final class LazyRandomWalk implements MarkovChain {
    private final double[] points;
    private final int n, dim;
    private final double jump;
    private final Rng rng;
    /** The index of the point the walk is at; an array so that the state tree can hold it. */
    private final long[] position = new long[1];

    /** {@code points}: n rows of {@code dim} numbers, row-major; {@code jump} = p in (0, 1]. */
    public LazyRandomWalk(double[] points, int dim, double jump, Rng rng) {
        if (dim < 1 || points.length == 0 || points.length % dim != 0)
            throw new IllegalArgumentException("points must hold whole rows of dim " + dim + ": " + points.length + " numbers");
        if (!(jump > 0 && jump <= 1)) throw new IllegalArgumentException("jump probability p must be in (0, 1]: " + jump);
        this.points = points;
        this.dim = dim;
        this.n = points.length / dim;
        this.jump = jump;
        this.rng = rng;
        this.position[0] = rng.nextInt(n);
    }

    /** The walk with relaxation time {@code tau} ≥ 1 (p = 1/τ). */
    public static LazyRandomWalk withMixingTime(double[] points, int dim, double tau, Rng rng) {
        if (!(tau >= 1 && Double.isFinite(tau))) throw new IllegalArgumentException("mixing time tau must be >= 1: " + tau);
        return new LazyRandomWalk(points, dim, 1 / tau, rng);
    }

    /** Index of the point the walk is at. */
    public int index() { return (int) position[0]; }

    public int size() { return n; }

    @Override public int dim() { return dim; }

    @Override public void next(double[] out) {
        if (rng.nextDouble() < jump) position[0] = rng.nextInt(n);
        System.arraycopy(points, (int) position[0] * dim, out, 0, dim);
    }

    @Override public double mixingTime() { return 1 / jump; }

    /** {@code prefix/position}: the point's index; {@code prefix/rng}: the RNG words. */
    @Override public void register(StateTree state, String prefix) {
        state.putLongs(prefix + "/position", position);
        state.putLongs(prefix + "/rng", rng.state());
    }
}
