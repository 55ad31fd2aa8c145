package dopt.job;

/** A job file or a job's request that cannot be run; the message says what and how to fix it. */
public final class JobException extends Exception {
    public JobException(String message) { super(message); }
    public JobException(String message, Throwable cause) { super(message, cause); }
}
