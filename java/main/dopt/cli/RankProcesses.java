package dopt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The processes of one launch: MPJ's starter, the rank JVMs under it (multicore) and under the
 * daemon this launch started (niodev; {@code daemonPidFile}, else null). The launcher notes them
 * while they run, so that it can kill every one of them (a stopped rank included: SIGKILL) and
 * say which JVM ended without a word.
 */
final class RankProcesses {
    private final Process starter;
    private final Path daemonPidFile;
    private final Map<Long, String> seen = new LinkedHashMap<>();

    RankProcesses(Process starter, Path daemonPidFile) {
        this.starter = starter;
        this.daemonPidFile = daemonPidFile;
    }

    Process starter() { return starter; }

    /** Records the rank processes that exist now. */
    void note() {
        live().forEach(h -> seen.putIfAbsent(h.pid(), h.info().command().orElse("?")));
    }

    private Stream<ProcessHandle> live() {
        Stream<ProcessHandle> s = starter.descendants();
        Optional<ProcessHandle> daemon = daemon();
        return daemon.isPresent() ? Stream.concat(s, daemon.get().descendants()) : s;
    }

    private Optional<ProcessHandle> daemon() {
        if (daemonPidFile == null) return Optional.empty();
        try {
            return ProcessHandle.of(Long.parseLong(Files.readString(daemonPidFile).trim()));
        } catch (IOException | NumberFormatException | SecurityException gone) {
            return Optional.empty();
        }
    }

    /** Kills the rank processes and the starter (SIGKILL, which also ends a stopped process) and returns their pids. */
    List<Long> killAll() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(live().toList());
        all.add(starter.toHandle());
        List<Long> pids = new ArrayList<>();
        for (ProcessHandle h : all) {
            if (h.isAlive()) pids.add(h.pid());
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // reported below as a pid we tried to kill; the kernel ends a SIGKILLed process
            }
        }
        return pids;
    }

    /**
     * Why the ranks ended with neither a report nor a success marker: their JVM died without
     * running any Java code (SIGKILL, the kernel's out-of-memory killer, a crash). The launcher is
     * not their parent and cannot read their exit status; a JVM crash leaves hs_err_pid*.log.
     */
    String silentDeath(String dev) {
        List<String> crashes = new ArrayList<>();
        for (long pid : seen.keySet())
            for (Path dir : List.of(Path.of("").toAbsolutePath()))
                if (Files.exists(dir.resolve("hs_err_pid" + pid + ".log"))) crashes.add(dir.resolve("hs_err_pid" + pid + ".log").toString());
        String jvms = seen.isEmpty() ? "the rank JVM" : "rank JVM(s) " + new ArrayList<>(seen.keySet());
        return "no rank reported an error and rank 0 wrote no success marker: " + jvms + " ended without a word ("
                + (crashes.isEmpty() ? "killed by a signal such as kill -9 or the kernel's out-of-memory killer (see dmesg), or crashed"
                : "crashed: " + String.join(", ", crashes)) + ")" + (dev.equals("multicore") ? "; all multicore ranks share that JVM" : "");
    }
}
