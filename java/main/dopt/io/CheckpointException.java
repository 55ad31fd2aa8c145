package dopt.io;

/**
 * A checkpoint cannot be used: it is missing, truncated, not HDF5, not a dopt checkpoint, or its
 * contents no longer match the checksum stored when it was written. Checked, because resuming must
 * decide what to do about it (refuse, or fall back to an older checkpoint).
 */
public class CheckpointException extends Exception {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
