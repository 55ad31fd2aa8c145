package dopt.train;

import dopt.tensor.Param;
import java.util.List;
import java.util.function.Function;

/** Copies between a list of parameters and one flat buffer in parameter order (what collectives carry). */
final class Flat {
    private Flat() { }

    static final Function<Param, float[]> GRAD = Param::grad, VALUE = Param::value;

    /** {@code flat[0, Σ sizes)} ← the chosen buffer of every parameter, in order; returns the length. */
    static int gather(List<Param> params, Function<Param, float[]> which, float[] flat) {
        int o = 0;
        for (Param p : params) {
            System.arraycopy(which.apply(p), 0, flat, o, p.size());
            o += p.size();
        }
        return o;
    }

    /** The chosen buffer of every parameter ← its range of {@code flat}. */
    static void scatter(float[] flat, List<Param> params, Function<Param, float[]> which) {
        int o = 0;
        for (Param p : params) {
            System.arraycopy(flat, o, which.apply(p), 0, p.size());
            o += p.size();
        }
    }

    static int length(List<Param> params) {
        int n = 0;
        for (Param p : params) n += p.size();
        return n;
    }
}
