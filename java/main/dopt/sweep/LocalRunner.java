package dopt.sweep;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs a sweep's points one after another on this machine (a laptop, a workstation): each point
 * is a {@code dopt run} of its job file with {@code --resume auto} into its own folder, output to
 * the point's job.log, exit code to its exit_code, exactly what an array task leaves. A failing
 * point does not stop the others; a finished one (with _SUCCESS) is not run again.
 */
public final class LocalRunner {
    private final List<String> doptRun;
    private final PrintStream console;
    private volatile Process current;
    private volatile boolean stopping;

    /**
     * @param doptRun the command that is {@code dopt run} (e.g. java -cp ... dopt.cli.Main run);
     *                the job file and options are appended
     */
    public LocalRunner(List<String> doptRun, PrintStream console) {
        this.doptRun = List.copyOf(doptRun);
        this.console = console;
    }

    /** How the run went: points run, of which ok, and those skipped as already finished. */
    public record Result(int ran, int ok, int skipped) { }

    /** Runs {@code points} of {@code sweep} (already written to {@code folder}) in order. */
    public Result run(Sweep sweep, SweepFolder folder, List<Point> points) throws SweepException {
        // a signal to this JVM (Ctrl-C reaches the child too, kill does not): pass it on, so the
        // running point checkpoints, and wait for it
        Thread onSignal = new Thread(() -> {
            stopping = true;
            Process p = current;
            if (p != null && p.isAlive()) {
                p.destroy();
                try {
                    p.waitFor(150, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "dopt-sweep-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        int ran = 0, ok = 0, skipped = 0, k = 0;
        try {
            for (Point p : points) {
                k++;
                if (stopping) break;
                Path dir = folder.pointDir(p.id());
                String head = String.format(Locale.ROOT, "sweep %s: %s [%d/%d] %s", sweep.name(), p.id(), k, points.size(), p.describe());
                if (Files.exists(dopt.io.RunFolder.success(dir))) {
                    console.println(head + ": already finished");
                    skipped++;
                    continue;
                }
                console.println(head + ": running (log: " + dir.resolve(SweepFolder.JOB_LOG) + ")");
                long t0 = System.nanoTime();
                int code = runPoint(sweep, folder, p);
                ran++;
                double s = (System.nanoTime() - t0) / 1e9;
                PointOutcome o = PointOutcome.read(dir, p.id(), p.values());
                if (o.status() == PointOutcome.Status.OK) ok++;
                console.printf(Locale.ROOT, "sweep %s: %s %s in %.1f s%s%n", sweep.name(), p.id(), o.status().label(), s,
                        o.status() == PointOutcome.Status.OK ? "" : " (exit " + code + ")" + (o.note().isEmpty() ? "" : ": " + o.note()));
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running
            }
        }
        return new Result(ran, ok, skipped);
    }

    private int runPoint(Sweep sweep, SweepFolder folder, Point p) throws SweepException {
        Path dir = folder.pointDir(p.id());
        List<String> cmd = new ArrayList<>(doptRun);
        cmd.addAll(List.of(folder.jobFile(p.id()).toString(), "--np", Integer.toString(sweep.np()), "--dev", sweep.dev(),
                "--resume", "auto", "--output", dir.toString()));
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(SweepFolder.EXIT_CODE));
            File log = dir.resolve(SweepFolder.JOB_LOG).toFile();
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
            current = proc;
            int code = proc.waitFor();
            current = null;
            Files.writeString(dir.resolve(SweepFolder.EXIT_CODE), code + "\n");
            return code;
        } catch (IOException e) {
            throw new SweepException("cannot run point " + p.id() + " (" + String.join(" ", cmd) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SweepException("interrupted while point " + p.id() + " ran");
        }
    }
}
