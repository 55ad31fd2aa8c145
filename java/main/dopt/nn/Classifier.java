package dopt.nn;

/** A {@link Network} whose output is a class per example: it can count its correct predictions. */
public interface Classifier<B> extends Network<B> {
    /** How many examples of the batch the model classifies correctly (argmax of the logits). */
    int countCorrect(B batch);
}
