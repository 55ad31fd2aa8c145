package dopt.train;

/** The loss or the averaged gradient became NaN or infinite; training stops without checkpointing that state. */
public final class NonFiniteException extends RuntimeException {
    public NonFiniteException(String message) { super(message); }
}
