package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way MPJ Express users launch, {@code mpjrun.sh}, through the project's {@code mpi/mpjrun.sh}
 * (Debian's {@code mpjrun} fails with NoClassDefFoundError: org/apache/log4j/Layout).
 */
class MpjrunScriptIT {
    @TempDir Path dir;

    private static String script() { return DoptProcess.repo().resolve("mpi/mpjrun.sh").toString(); }

    @Test
    void aJobFileRunsAsDoptRunWouldWithMpjrunOptions() throws Exception {
        Path job = Jobs.write(dir, "mpjrun", Jobs.mlp("mpjrun", "{\"name\": \"adam\", \"lr\": 0.001}", 20, 10, ""));
        DoptProcess.Result r = DoptProcess.exec(List.of("bash", script(), "-np", "2", "-dev", "multicore", job.toString(),
                "--output", "out"), dir, 180);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("on 2 rank(s)"), r.output());
        assertTrue(Files.exists(dir.resolve("out/_SUCCESS")) && Files.exists(dir.resolve("out/checkpoints/ckpt-000020.h5")));
    }

    @Test
    void anMpjProgramRunsOnNiodevRanksUnderADaemonOnPortsOfItsOwn() throws Exception {
        Path repo = DoptProcess.repo();
        String base = Integer.toString(MpjPorts.pickFreeBase(ProcessHandle.current().pid()));
        String daemon = repo.resolve("mpi/daemon.sh").toString();
        assertEquals(0, DoptProcess.exec(List.of("bash", daemon, "start", "--port-base", base), dir, 60).exitCode());
        DoptProcess.Result r;
        try {
            String cp = repo.resolve("target/test-classes") + File.pathSeparator + repo.resolve("target/dopt.jar");
            r = DoptProcess.exec(List.of("bash", script(), "-np", "2", "-dev", "niodev", "-machinesfile",
                    repo.resolve("mpi/machines.localhost").toString(), "-cp", cp, "dopt.comm.CollectivesCheck", dir.resolve("result").toString()),
                    dir, 240, Map.of("MPJ_HOME", repo.resolve("mpi/run/mpj-home-" + base).toString()));
        } finally {
            DoptProcess.exec(List.of("bash", daemon, "stop", "--port-base", base), dir, 60);
        }
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("cluster configuration with niodev"), r.output());
        assertTrue(Files.readString(dir.resolve("result")).startsWith("OK ranks=2"), Files.readString(dir.resolve("result")));
    }
}
