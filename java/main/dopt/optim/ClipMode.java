package dopt.optim;

import dopt.tensor.Param;
import java.util.List;

/**
 * The three ways clipped-SGD and clipped-SSTM clip a gradient to level λ (Gorbunov, Danilova and
 * Gasnikov 2020; the authors' {@code optimizers.py} in ClippedStochasticMethods/clipped-SSTM calls
 * them {@code norm}, {@code layer_wise} and {@code coordinate_wise}):
 * <ul>
 *   <li>{@link #GLOBAL}: g ← min(1, λ/‖g‖₂)·g with the norm over all parameters together;</li>
 *   <li>{@link #LAYER}: the same per parameter tensor, each with its own norm;</li>
 *   <li>{@link #COORDINATE}: gᵢ ← min(1, λ/|gᵢ|)·gᵢ, i.e. each coordinate clamped to [−λ, λ].</li>
 * </ul>
 * Clipping engages only when the norm (or |gᵢ|) is strictly above λ; at or below it the gradient is
 * left bit-for-bit unchanged.
 */
public enum ClipMode {
    GLOBAL, LAYER, COORDINATE;

    /** The mode named {@code global}, {@code layer} or {@code coordinate} (the NamedRules vocabulary). */
    public static ClipMode parse(String name) {
        return switch (name) {
            case "global", "norm" -> GLOBAL;
            case "layer", "layer_wise" -> LAYER;
            case "coordinate", "coordinate_wise" -> COORDINATE;
            default -> throw new IllegalArgumentException("unknown clip_mode '" + name + "'; allowed: global, layer, coordinate");
        };
    }

    /** Clips every parameter's grad buffer in place to level {@code lambda}; true when any value changed. */
    public boolean clip(List<Param> params, double lambda) {
        if (!(lambda > 0)) throw new IllegalArgumentException("clip level must be positive: " + lambda);
        boolean engaged = false;
        switch (this) {
            case GLOBAL -> {
                double norm = Math.sqrt(GlobalNorm.squared(params));
                if (norm > lambda) {
                    for (Param p : params) scale(p.grad(), lambda / norm);
                    engaged = true;
                }
            }
            case LAYER -> {
                for (Param p : params) {
                    float[] g = p.grad();
                    double sq = 0;
                    for (int j = 0; j < g.length; j++) sq += (double) g[j] * g[j];
                    double norm = Math.sqrt(sq);
                    if (norm > lambda) {
                        scale(g, lambda / norm);
                        engaged = true;
                    }
                }
            }
            case COORDINATE -> {
                float hi = (float) lambda;
                for (Param p : params) {
                    float[] g = p.grad();
                    for (int j = 0; j < g.length; j++) {
                        if (g[j] > hi) { g[j] = hi; engaged = true; }
                        else if (g[j] < -hi) { g[j] = -hi; engaged = true; }
                    }
                }
            }
        }
        return engaged;
    }

    private static void scale(float[] g, double s) {
        float f = (float) s;
        for (int j = 0; j < g.length; j++) g[j] *= f;
    }
}
