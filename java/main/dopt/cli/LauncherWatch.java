package dopt.cli;

import java.time.Instant;
import java.util.Optional;

/**
 * A rank's watch on the {@code dopt run} that launched it ([RELY]): after {@code kill -9} of the
 * launcher, the rank JVMs used to keep training and later wrote checkpoints and {@code _SUCCESS}
 * into a folder nobody owned. The launcher passes its pid, start time and host (one system
 * property among the rank JVM options); a daemon thread of each rank on the same host checks twice
 * a second that this process still exists and halts the rank JVM when it does not. The start time
 * guards against a reused pid. Ranks on other hosts (--machines) cannot see the launcher's
 * process and end through their peers' collective timeouts instead.
 */
final class LauncherWatch {
    static final String PROPERTY = "dopt.launcher";
    /** The rank JVM's exit code when its launcher is gone. */
    static final int EXIT_LAUNCHER_GONE = 70;
    private static final long PERIOD_MILLIS = 500;

    private LauncherWatch() { }

    /** "pid:startMillis@host" of {@code launcher}. */
    static String describe(ProcessHandle launcher) {
        return launcher.pid() + ":" + launcher.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + "@" + Hosts.name();
    }

    /** True while the process that {@code spec} describes exists (same pid, same start time). */
    static boolean alive(long pid, long startMillis) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return false;
        long started = h.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return startMillis == 0 || started == 0 || started == startMillis;
    }

    /**
     * Starts the watch for {@code spec} (null: no launcher to watch, e.g. a rank started by hand);
     * returns what it watches, for the rank's log, or why it does not.
     */
    static String start(String spec, int rank) {
        if (spec == null || spec.isBlank()) return "no launcher to watch";
        int colon = spec.indexOf(':'), at = spec.indexOf('@');
        if (colon < 0 || at < colon) return "launcher '" + spec + "' not understood; not watched";
        long pid = Long.parseLong(spec.substring(0, colon)), started = Long.parseLong(spec.substring(colon + 1, at));
        String host = spec.substring(at + 1);
        if (!host.equals(Hosts.name())) return "launcher on " + host + ", not watched from " + Hosts.name();
        Thread t = new Thread(() -> {
            while (alive(pid, started)) {
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("dopt rank " + rank + ": dopt run (pid " + pid + ") is gone; this rank stops too, without writing anything");
            System.err.flush();
            // halt, not exit: the shutdown hooks would wait for a checkpoint that nobody asked for
            Runtime.getRuntime().halt(EXIT_LAUNCHER_GONE);
        }, "dopt-launcher-watch");
        t.setDaemon(true);
        t.start();
        return "launcher pid " + pid + " watched";
    }
}
