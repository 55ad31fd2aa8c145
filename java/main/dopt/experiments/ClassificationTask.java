package dopt.experiments;

import dopt.tensor.Param;
import java.util.List;

/**
 * One model on one labelled data set, trained step by step by an outside optimizer: {@link #reset}
 * draws the initial weights and the batch order from a seed, {@link #trainStep} writes the mini-batch
 * gradient into the grad buffers, {@link #evaluate} measures the held-out set.
 */
interface ClassificationTask {

    /** E.g. "MNIST, MLP 784-256-10". */
    String label();

    /** Fresh weights and a fresh batch order, both from {@code seed}. */
    void reset(long seed);

    List<Param> params();

    /** Mini-batch loss; the gradient is in the grad buffers afterwards. */
    float trainStep();

    /** {accuracy, mean cross-entropy} on the whole test split. */
    double[] evaluate();
}
