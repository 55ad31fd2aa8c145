package dopt.io;

import java.nio.file.Path;

/**
 * The names of what a run leaves in its output folder, shared by the trainer that writes them, the
 * launcher that decides the outcome, and the sweep and benchmark reports that read them.
 */
public final class RunFolder {
    private RunFolder() { }

    /** The marker rank 0 writes last, after the final checkpoint, trace and summary: the run succeeded. */
    public static final String SUCCESS = "_SUCCESS";
    /** The marker of a run stopped on request after checkpointing; it resumes with --resume auto. */
    public static final String STOPPED = "_STOPPED";
    /** A file of this name in the output folder asks a running job to checkpoint and stop. */
    public static final String STOP_REQUEST = "STOP";
    public static final String SUMMARY = "summary.json";
    public static final String TRACE = "trace.h5";
    public static final String LOSS_PLOT = "loss.png";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String LOGS = "logs";

    public static Path success(Path run) { return run.resolve(SUCCESS); }
    public static Path stopped(Path run) { return run.resolve(STOPPED); }
    public static Path summary(Path run) { return run.resolve(SUMMARY); }
    public static Path trace(Path run) { return run.resolve(TRACE); }
}
