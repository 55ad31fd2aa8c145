package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * Clipping to a fixed level λ in one of the {@link ClipMode}s. Followed by
 * {@link ScaleByLearningRate} it is clipped-SGD, x ← x − γ·clip(g, λ) (Gorbunov, Danilova and
 * Gasnikov 2020, "Stochastic optimization with heavy-tailed noise via accelerated gradient
 * clipping", method clipped-SGD). Stateless.
 */
public final class ClipGradients implements GradientTransformation {

    @Override
    public String role() { return "clip"; }
    private final ClipMode mode;
    private final double lambda;

    public ClipGradients(ClipMode mode, double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException("clip level must be positive and finite: " + lambda);
        this.mode = mode;
        this.lambda = lambda;
    }

    @Override public void init(List<Param> params, StateTree state, String prefix) { }

    @Override
    public void update(List<Param> params, long step) { mode.clip(params, lambda); }
}
