package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * One slice of a sequential network, cut into consecutive stages over the ranks of a pipeline
 * (GPipe, Huang et al. 2019; PipeDream's 1F1B, Narayanan et al. 2019). A stage maps rows of width
 * {@link #inputWidth()} to rows of width {@link #outputWidth()}; the last one ends in the loss. It
 * owns its layers' parameters and a stash of activations per micro-batch in flight: {@link
 * #forward} keeps in slot {@code s} what {@link #backward} on the same slot needs later, so several
 * micro-batches can be between their forward and backward passes at once.
 */
public interface Stage {
    /** This stage's parameters, in the unsplit model's order (the stages' lists concatenated are its list). */
    List<Param> params();

    /** Initialises this stage's parameters exactly as the unsplit model's {@code init(rng)} would. */
    void init(Rng rng);

    /** Parameters (scalars) of the whole model this stage is a slice of, every stage's together. */
    long modelParams();

    /** Floats per row of this stage's input. */
    int inputWidth();

    /** Floats per row of this stage's output (activations sent on, or the logits of the last stage). */
    int outputWidth();

    /** True for the stage that ends in the loss. */
    boolean isLast();

    /** Micro-batches that can be stashed at once. */
    int slots();

    /**
     * Runs {@code rows} rows of {@code in} through the stage and stashes what the backward pass
     * needs in {@code slot}; returns the output (a buffer of the slot, valid until the slot's next forward).
     */
    float[] forward(int slot, float[] in, int rows);

    /**
     * Last stage only: the mean loss of the slot's output against {@code labels}; the loss's gradient
     * with respect to the output is kept in the slot for {@link #backward} (which is then given null).
     */
    float loss(int slot, int[] labels, int rows);

    /**
     * Backward pass of the micro-batch stashed in {@code slot}, given the gradient with respect to its
     * output ({@code outputGrad}, rows × {@link #outputWidth}; null on the last stage). Writes the
     * parameters' gradients, or adds to them when {@code accumulate}. Returns the gradient with
     * respect to the input (a buffer of the stage, valid until the next backward), or null on the
     * first stage, which has no one to send it to.
     */
    float[] backward(int slot, float[] outputGrad, int rows, boolean accumulate);
}
