package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * Applies transformations in order; each one's state lives under {@code prefix/<role>} (optax's
 * {@code named_chain}, with each part's {@link GradientTransformation#role} as its name), so two
 * parts of one chain must have different roles.
 */
public final class Chain implements GradientTransformation {
    private final GradientTransformation[] parts;

    public Chain(GradientTransformation... parts) {
        this.parts = parts.clone();
        java.util.Set<String> roles = new java.util.HashSet<>();
        for (GradientTransformation t : this.parts)
            if (!roles.add(t.role()))
                throw new IllegalArgumentException("two parts of one chain have the role '" + t.role() + "': their state would share a path");
    }

    @Override
    public String role() { return "chain"; }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        for (GradientTransformation t : parts) t.init(params, state, prefix + "/" + t.role());
    }

    @Override
    public void update(List<Param> params, long step) {
        for (GradientTransformation t : parts) t.update(params, step);
    }

    /** All but the last part as {@link #update}; the last one may leave its pure scale to the caller. */
    @Override
    public float updateBeforeScale(List<Param> params, long step) {
        if (parts.length == 0) return 1f;
        for (int i = 0; i < parts.length - 1; i++) parts[i].update(params, step);
        return parts[parts.length - 1].updateBeforeScale(params, step);
    }

    @Override
    public List<float[]> preconditionerState() {
        List<float[]> out = new java.util.ArrayList<>();
        for (GradientTransformation t : parts) out.addAll(t.preconditionerState());
        return out;
    }

    @Override
    public long stateBytes() {
        long b = 0;
        for (GradientTransformation t : parts) b += t.stateBytes();
        return b;
    }
}
