package dopt.train;

/** Data-parallel replicas no longer hold bit-identical parameters. */
public final class ReplicaMismatchException extends RuntimeException {
    public ReplicaMismatchException(String message) { super(message); }
}
