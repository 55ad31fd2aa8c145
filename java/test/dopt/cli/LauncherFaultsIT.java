package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults an adversarial user injected on one host ([RELY]), each with its specified outcome: the
 * ranks die with their launcher, a stopped rank does not hold {@code dopt run} forever, a rank JVM
 * that dies without a word is reported as such, one run at a time holds an output folder, and a
 * full disk is one line before any rank starts. Each prints the time from fault to clean exit.
 */
class LauncherFaultsIT {
    @TempDir Path dir;

    private static final String ADAM = "{\"name\": \"adam\", \"lr\": 0.001}";

    private Process start(Path job, String out, String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(DoptProcess.java(), "-Ddopt.home=" + DoptProcess.repo(), "-jar",
                DoptProcess.repo().resolve("target/dopt.jar").toString(), "run", job.toString(), "--np", "2", "--output", out));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(out + ".log").toFile());
        pb.environment().put("MPJ_HOME", DoptProcess.mpjHome().toString());
        return pb.start();
    }

    private Path longJob(String name) throws Exception {
        return Jobs.write(dir, name, Jobs.mlp(name, ADAM, 1_000_000, 50, "\"comm\": {\"timeout_s\": 5}"));
    }

    /** Waits until rank {@code rank} has logged its start, then a little longer so that it trains. */
    private void awaitTraining(Path out, int rank) throws Exception {
        Path log = out.resolve("logs/rank-" + rank + ".log");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(log) && Files.readString(log).contains("started")) && System.nanoTime() < deadline) Thread.sleep(100);
        Thread.sleep(2000);
    }

    /**
     * The rank JVMs of this run: the niodev ones name the output folder, the multicore one is the
     * child of MPJ's starter (whose own command line names RankMain too).
     */
    private List<ProcessHandle> rankJvms(Process launcher, String out) {
        List<ProcessHandle> starters = launcher.children().toList();
        return Stream.concat(launcher.descendants(), ProcessHandle.allProcesses()).distinct().filter(p -> {
            String c = p.info().commandLine().orElse("");
            boolean multicoreJvm = p.parent().map(starters::contains).orElse(false);
            return multicoreJvm || !starters.contains(p) && c.contains("RankMain") && c.contains(dir.resolve(out).toString());
        }).toList();
    }

    /** The processes of a run: the launcher's descendants and every process whose command line names its folder (niodev ranks, daemon). */
    private List<ProcessHandle> processesOf(Process launcher, String out) {
        return Stream.concat(launcher.descendants(), anyProcessOf(out).stream()).distinct().toList();
    }

    /** Every process whose command line names this test's folder: ranks, starter, daemon. */
    private List<ProcessHandle> anyProcessOf(String out) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.resolve(out).toString())).toList();
    }

    private void cleanUp(Process launcher, String out) {
        launcher.descendants().forEach(ProcessHandle::destroyForcibly);
        launcher.destroyForcibly();
        anyProcessOf(out).forEach(ProcessHandle::destroyForcibly);
    }

    private static List<String> files(Path d) throws Exception {
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor());
    }

    private void killMinus9OfTheLauncherEndsEveryProcessOfTheRun(String dev) throws Exception {
        String out = "orphans-" + dev;
        Process launcher = start(longJob(out), out, "--dev", dev);
        double seconds;
        try {
            awaitTraining(dir.resolve(out), 1);
            assertEquals(dev.equals("multicore") ? 1 : 2, rankJvms(launcher, out).size(), "rank JVMs: " + rankJvms(launcher, out));
            List<ProcessHandle> run = processesOf(launcher, out);
            long t0 = System.nanoTime();
            launcher.destroyForcibly(); // SIGKILL: the launcher runs no clean-up
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (run.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) Thread.sleep(50);
            seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(List.of(), run.stream().filter(ProcessHandle::isAlive).map(p -> p.info().commandLine().orElse("?")).toList(),
                    "no rank, starter or daemon outlives kill -9 of dopt run");
        } finally {
            cleanUp(launcher, out);
        }
        System.out.printf("fault: kill -9 of dopt run (%s) -> every process of the run gone after %.2f s%n", dev, seconds);
        List<String> before = files(dir.resolve(out + "/checkpoints"));
        Thread.sleep(3000);
        assertEquals(before, files(dir.resolve(out + "/checkpoints")), "nothing writes checkpoints after the launcher is gone");
        assertFalse(Files.exists(dir.resolve(out + "/_SUCCESS")));
        // a multicore rank writes to the launcher's own stderr, so its last word is in the log; a niodev rank
        // writes through the daemon, which may end it (its owner watcher) before the rank itself notices
        if (dev.equals("multicore")) assertTrue(Files.readString(dir.resolve(out + ".log")).contains("is gone; this rank stops too"));
    }

    @Test
    void killMinus9OfAMulticoreLauncherEndsItsRankJvm() throws Exception {
        killMinus9OfTheLauncherEndsEveryProcessOfTheRun("multicore");
    }

    @Test
    void killMinus9OfANiodevLauncherEndsItsRanksAndItsDaemon() throws Exception {
        killMinus9OfTheLauncherEndsEveryProcessOfTheRun("niodev");
    }

    @Test
    void aStoppedNiodevRankIsKilledAfterThePeersReportAndTheRunFailsNamingIt() throws Exception {
        String out = "stopped";
        Process launcher = start(longJob(out), out, "--dev", "niodev");
        boolean ended;
        double seconds;
        try {
            awaitTraining(dir.resolve(out), 1);
            List<ProcessHandle> ranks = rankJvms(launcher, out);
            assertEquals(2, ranks.size(), "two rank JVMs: " + ranks);
            List<ProcessHandle> run = processesOf(launcher, out);
            long t0 = System.nanoTime();
            signal("STOP", ranks.get(1).pid());
            // 5 s collective timeout, then comm.timeout_s + 10 s for the ranks to end before they are killed
            ended = launcher.waitFor(90, TimeUnit.SECONDS);
            seconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(1000);
            assertEquals(List.of(), run.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList(), "no process of the run is left");
        } finally {
            cleanUp(launcher, out);
        }
        String said = Files.readString(dir.resolve(out + ".log"));
        System.out.println(said);
        System.out.printf("fault: SIGSTOP of a niodev rank -> dopt run exited %d after %.2f s%n", launcher.exitValue(), seconds);
        assertTrue(ended, "dopt run returns while the rank is still stopped");
        assertEquals(1, launcher.exitValue());
        assertTrue(said.contains("did not complete within 5.0 s") && said.contains("killed the remaining rank processes"), said);
        assertFalse(Files.exists(dir.resolve(out + "/_SUCCESS")));
    }

    @Test
    void aMulticoreRankJvmKilledByASignalIsReportedAndItsUnfinishedFilesAreRemovedOnResume() throws Exception {
        String out = "rankkill";
        Path job = longJob(out);
        Process launcher = start(job, out);
        double seconds;
        try {
            awaitTraining(dir.resolve(out), 1);
            List<ProcessHandle> ranks = rankJvms(launcher, out);
            assertEquals(1, ranks.size(), "one multicore JVM: " + ranks);
            long t0 = System.nanoTime();
            ranks.get(0).destroyForcibly();
            assertTrue(launcher.waitFor(60, TimeUnit.SECONDS));
            seconds = (System.nanoTime() - t0) / 1e9;
        } finally {
            cleanUp(launcher, out);
        }
        String said = Files.readString(dir.resolve(out + ".log"));
        System.out.printf("fault: kill -9 of the multicore rank JVM -> dopt run exited %d after %.2f s%n", launcher.exitValue(), seconds);
        assertEquals(1, launcher.exitValue());
        assertTrue(said.contains("ended without a word") && said.contains("killed by a signal"), said);

        // a write the kill interrupted (between temp file and rename) leaves a temp file like this one
        // (the kill may come before the first checkpoint, so the folder may not exist yet)
        Files.createDirectories(dir.resolve(out + "/checkpoints"));
        Files.writeString(dir.resolve(out + "/checkpoints/.ckpt-000123.h5.5eed.tmp"), "half");
        Path shorter = Jobs.write(dir, out, Jobs.mlp(out, ADAM, 1, 50, "\"comm\": {\"timeout_s\": 5}"));
        DoptProcess.Result again = DoptProcess.dopt(dir, 120, "run", shorter.toString(), "--np", "2", "--output", out, "--resume", "auto");
        // the kill may also have interrupted a real checkpoint write, leaving a second temporary file
        assertTrue(again.output().matches("(?s).*removed [12] unfinished temporary file\\(s\\).*") && again.output().contains(".ckpt-000123.h5.5eed.tmp"),
                again.output());
        assertFalse(files(dir.resolve(out + "/checkpoints")).stream().anyMatch(f -> f.endsWith(".tmp")));
    }

    @Test
    void oneRunAtATimeHoldsAnOutputFolderAndAFinishedRunIsNotOverwrittenUnlessAsked() throws Exception {
        String out = "shared";
        Process first = start(longJob(out), out);
        try {
            awaitTraining(dir.resolve(out), 1);
            DoptProcess.Result second = DoptProcess.dopt(dir, 60, "run", longJob("other").toString(), "--np", "2", "--output", out);
            assertEquals(2, second.exitCode(), second.output());
            assertTrue(second.output().contains("is in use by another dopt run") && second.output().contains("pid " + first.pid()),
                    second.output());
            assertTrue(first.isAlive(), "the first run goes on");
        } finally {
            cleanUp(first, out);
        }

        Path small = Jobs.write(dir, "small", Jobs.mlp("small", ADAM, 20, 10, ""));
        assertEquals(0, DoptProcess.dopt(dir, 120, "run", small.toString(), "--np", "2", "--output", "done").exitCode());
        long before = Files.getLastModifiedTime(dir.resolve("done/checkpoints/ckpt-000020.h5")).toMillis();
        DoptProcess.Result rerun = DoptProcess.dopt(dir, 60, "run", small.toString(), "--np", "2", "--output", "done");
        assertEquals(2, rerun.exitCode(), rerun.output());
        assertTrue(rerun.output().contains("holds an earlier run") && rerun.output().contains("--overwrite"), rerun.output());
        assertEquals(before, Files.getLastModifiedTime(dir.resolve("done/checkpoints/ckpt-000020.h5")).toMillis(), "left alone");

        Path changed = Jobs.write(dir, "small", Jobs.mlp("small", "{\"name\": \"adam\", \"lr\": 0.002}", 30, 10, ""));
        DoptProcess.Result resumed = DoptProcess.dopt(dir, 60, "run", changed.toString(), "--np", "2", "--output", "done", "--resume", "auto");
        assertEquals(2, resumed.exitCode(), resumed.output());
        assertTrue(resumed.output().contains("optimizer.lr 0.001 -> 0.002"), resumed.output());

        Path fewer = Jobs.write(dir, "small", Jobs.mlp("small", ADAM, 10, 10, ""));
        DoptProcess.Result over = DoptProcess.dopt(dir, 120, "run", fewer.toString(), "--np", "2", "--output", "done", "--overwrite");
        assertEquals(0, over.exitCode(), over.output());
        assertEquals(List.of("ckpt-000010.h5"), files(dir.resolve("done/checkpoints")), "only the new run's checkpoint");
    }

    @Test
    void aFullDiskIsOneClearErrorBeforeAnyRankStarts() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("full"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt.toString()).redirectErrorStream(true).start();
        Assumptions.assumeTrue(mount.waitFor() == 0, "mounting a small tmpfs needs root: " + new String(mount.getInputStream().readAllBytes()));
        try {
            Files.write(mnt.resolve("filler"), new byte[200 << 10]);
            Path job = Jobs.write(dir, "disk", Jobs.mlp("disk", ADAM, 10, 0, ""));
            DoptProcess.Result r = DoptProcess.dopt(dir, 60, "run", job.toString(), "--np", "2", "--output", mnt.resolve("run").toString());
            assertEquals(2, r.exitCode(), r.output());
            assertTrue(r.output().contains("is not writable") && r.output().contains("No space left on device"), r.output());
            assertTrue(r.output().strip().lines().count() <= 2, "one clear error, not pages of log4j traces:\n" + r.output());
        } finally {
            new ProcessBuilder("umount", mnt.toString()).start().waitFor();
        }
    }
}
