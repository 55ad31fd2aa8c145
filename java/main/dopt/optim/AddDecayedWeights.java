package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * Adds {@code weightDecay · x} to the direction. Before Adam this is L2 regularisation
 * ({@code torch.optim.Adam(weight_decay=…)}); after it, scaled by the learning rate, it is
 * decoupled weight decay (AdamW, Loshchilov and Hutter 2019).
 */
public final class AddDecayedWeights implements GradientTransformation {

    @Override
    public String role() { return "weight_decay"; }
    private final float weightDecay;

    public AddDecayedWeights(double weightDecay) { this.weightDecay = (float) weightDecay; }

    @Override public void init(List<Param> params, StateTree state, String prefix) { }

    @Override
    public void update(List<Param> params, long step) {
        if (weightDecay == 0f) return;
        float wd = weightDecay;
        for (Param p : params) {
            float[] g = p.grad(), x = p.value();
            for (int j = 0; j < g.length; j++) g[j] += wd * x[j];
        }
    }
}
