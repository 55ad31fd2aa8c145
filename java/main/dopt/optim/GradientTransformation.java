package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * One composable step of an optimizer, in the manner of optax: {@link #init} creates the
 * transformation's state inside the job's state tree, and {@link #update} turns each parameter's
 * {@link Param#grad()} buffer, in place, into the next transformation's input. The last
 * transformation of a chain leaves the update to add to the parameters (for example
 * {@link ScaleByLearningRate} negates and scales).
 *
 * <p>State buffers are registered in the tree by reference under the given prefix, so restoring a
 * checkpoint into the tree restores the transformation without any further call.
 */
public interface GradientTransformation {

    /**
     * What this transformation is in a rule ({@code "adam"}, {@code "momentum"}, {@code "clip"}):
     * its state's path segment inside a {@link Chain}, so that a checkpoint names roles and survives
     * the renaming of a class. Part of the checkpoint format: changing one needs a migration
     * ({@code dopt.io.CheckpointMigration}).
     */
    String role();

    /** Creates and registers this transformation's state for {@code params} under {@code prefix}. */
    void init(List<Param> params, StateTree state, String prefix);

    /** Transforms every parameter's grad buffer in place; {@code step} counts from 1. */
    void update(List<Param> params, long step);

    /**
     * {@link #update}, except that a transformation whose last action is to multiply every entry by
     * one factor (a pure scale, such as {@link ScaleByLearningRate}) may leave that pass out and
     * return the factor instead; the caller then owes the multiplication, entry by entry, as the
     * next operation on each entry ({@link Optimizer#step} does it while adding the update to the
     * parameters, saving a pass over memory). Returns 1 when nothing was left out; by default this
     * is {@code update} and 1.
     */
    default float updateBeforeScale(List<Param> params, long step) {
        update(params, step);
        return 1f;
    }

    /**
     * The live buffers of this transformation's diagonal preconditioner (second moments, a Hessian
     * diagonal), which local methods average across ranks at each model average; none by default.
     */
    default List<float[]> preconditionerState() { return List.of(); }

    /** Bytes of optimizer state this transformation holds (moments, counters). */
    default long stateBytes() { return 0; }
}
