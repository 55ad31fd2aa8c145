package dopt.comm;

/**
 * A collective did not complete: it ran past the job's bound, or MPJ reported the connection to a
 * peer lost. Either way a peer rank has most likely died or hung.
 */
public final class CommTimeoutException extends RuntimeException {
    public CommTimeoutException(String message) { super(message); }
}
