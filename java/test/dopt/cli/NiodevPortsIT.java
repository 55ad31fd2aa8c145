package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two niodev jobs on one host at the same time (two users, or two jobs of one user): each takes
 * MPJ ports of its own instead of MPJ's fixed 40002/40055/40052, so neither blocks the other; and
 * a third on ports chosen with {@code --port-base}, whose daemon was started by hand on them.
 */
class NiodevPortsIT {
    @TempDir Path dir;

    private static int portBase(String output) {
        Matcher m = Pattern.compile("MPJ ports (\\d+)\\.\\.").matcher(output);
        assertTrue(m.find(), output);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aSecondNiodevJobRunsWhileTheFirstIsTraining() throws Exception {
        String adam = "{\"name\": \"adam\", \"lr\": 0.001}";
        Path longJob = Jobs.write(dir, "first", Jobs.mlp("first", adam, 100000, 0, ""));
        Path shortJob = Jobs.write(dir, "short", Jobs.mlp("short", adam, 20, 0, ""));
        ProcessBuilder pb = new ProcessBuilder(DoptProcess.java(), "-Ddopt.home=" + DoptProcess.repo(), "-jar",
                DoptProcess.repo().resolve("target/dopt.jar").toString(), "run", longJob.toString(), "--np", "2", "--dev", "niodev",
                "--output", "first").directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile());
        pb.environment().put("MPJ_HOME", DoptProcess.mpjHome().toString());
        Process first = pb.start();
        DoptProcess.Result second, third;
        boolean firstStillRunning;
        try {
            Path log1 = dir.resolve("first/logs/rank-1.log");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!(Files.exists(log1) && Files.readString(log1).contains("started")) && System.nanoTime() < deadline) Thread.sleep(200);
            assertTrue(first.isAlive(), Files.readString(dir.resolve("first.log")));

            // the second: free ports of its own, picked by dopt run, which starts and stops its own daemon
            second = DoptProcess.dopt(dir, 240, "run", shortJob.toString(), "--np", "2", "--dev", "niodev", "--output", "second");
            // the third: a daemon started by hand on chosen ports, reached with --machines and --port-base
            String base = Integer.toString(MpjPorts.pickFreeBase(ProcessHandle.current().pid()));
            String daemonScript = DoptProcess.repo().resolve("mpi/daemon.sh").toString();
            assertEquals(0, DoptProcess.exec(List.of("bash", daemonScript, "start", "--port-base", base), dir, 60).exitCode());
            try {
                third = DoptProcess.dopt(dir, 240, "run", shortJob.toString(), "--np", "2", "--dev", "niodev", "--output", "third",
                        "--machines", DoptProcess.repo().resolve("mpi/machines.localhost").toString(), "--port-base", base);
            } finally {
                DoptProcess.exec(List.of("bash", daemonScript, "stop", "--port-base", base), dir, 60);
            }
            firstStillRunning = first.isAlive();
            Files.writeString(dir.resolve("first/STOP"), "");
            assertTrue(first.waitFor(90, TimeUnit.SECONDS), "the first job stops on its STOP file");
        } finally {
            first.descendants().forEach(ProcessHandle::destroyForcibly);
            first.destroyForcibly();
        }
        String firstOut = Files.readString(dir.resolve("first.log"));
        System.out.println(firstOut);
        assertTrue(firstStillRunning, "the two jobs overlapped");
        assertEquals(0, second.exitCode(), second.output());
        assertTrue(Files.exists(dir.resolve("second/_SUCCESS")));
        assertEquals(0, third.exitCode(), third.output());
        assertTrue(Files.exists(dir.resolve("third/_SUCCESS")));
        assertEquals(75, first.exitValue(), firstOut);
        assertNotEquals(portBase(firstOut), portBase(second.output()));
    }
}
