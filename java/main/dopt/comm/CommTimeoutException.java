package dopt.comm;

/** A collective did not complete in time: a peer rank has most likely died or hung. */
public final class CommTimeoutException extends RuntimeException {
    public CommTimeoutException(String message) { super(message); }
}
