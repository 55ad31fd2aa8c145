package dopt.sweep;

/** A sweep that cannot be expanded, submitted, run or reported; the message says what and how to fix it. */
public final class SweepException extends Exception {
    public SweepException(String message) { super(message); }
    public SweepException(String message, Throwable cause) { super(message, cause); }
}
