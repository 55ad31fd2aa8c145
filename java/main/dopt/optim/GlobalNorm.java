package dopt.optim;

import dopt.tensor.Param;
import java.util.List;

/** The squared ℓ2 norm of all gradients together, accumulated in double in parameter order. */
public final class GlobalNorm {
    private GlobalNorm() { }

    public static double squared(List<Param> params) {
        double s = 0;
        for (Param p : params) {
            float[] g = p.grad();
            for (int j = 0; j < g.length; j++) s += (double) g[j] * g[j];
        }
        return s;
    }
}
