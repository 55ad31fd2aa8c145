package dopt.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request to stop training gracefully: finish the current step, checkpoint, and exit so that
 * {@code --resume auto} continues (SLURM preemption and {@code --requeue}, Ctrl-C). It comes from
 * a signal to this JVM (a shutdown hook sets it) or from a file named {@value #FILE} in the output
 * folder, which rank 0 looks for every step. The decision travels with the gradient allreduce, so
 * every rank stops after the same step without an extra collective.
 */
public final class StopRequest {
    public static final String FILE = dopt.io.RunFolder.STOP_REQUEST;
    public static final String STOPPED_MARKER = dopt.io.RunFolder.STOPPED;

    private static volatile boolean requested;
    private static final CountDownLatch finished = new CountDownLatch(1);

    private StopRequest() { }

    public static boolean requested() { return requested; }

    public static void request() { requested = true; }

    /** Called when this rank's training has ended, however it ended. */
    public static void finished() { finished.countDown(); }

    /**
     * Installs a shutdown hook that requests a stop and holds the JVM's exit until training has
     * checkpointed (at most {@code graceMillis}).
     */
    public static void stopOnSignal(long graceMillis) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            request();
            try {
                finished.await(graceMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dopt-stop-on-signal"));
    }
}
