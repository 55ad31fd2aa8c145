package dopt.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.cli.DoptProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every collective and the byte messages, checked on real MPJ Express ranks under both devices. */
class MpjCollectivesIT {
    @TempDir Path dir;

    private DoptProcess.Result starter(int np, String dev, String... extra) throws Exception {
        return starter(CollectivesCheck.class, np, dev, extra);
    }

    private DoptProcess.Result starter(Class<?> check, int np, String dev, String... extra) throws Exception {
        Path repo = DoptProcess.repo();
        String cp = repo.resolve("target/test-classes") + File.pathSeparator + repo.resolve("target/dopt.jar");
        // JVM options among the starter's options reach the rank JVM(s) it starts
        List<String> cmd = new ArrayList<>(List.of(DoptProcess.java(), "-jar",
                DoptProcess.mpjHome().resolve("lib/starter.jar").toString(), "-np", "" + np, "-dev", dev, "-Xmx3g", "-XX:+UseParallelGC"));
        if (dev.equals("niodev")) {
            Path machines = dir.resolve("machines");
            Files.writeString(machines, "localhost\n");
            Files.createDirectories(dir.resolve("wdir"));
            cmd.addAll(List.of("-machinesfile", machines.toString(), "-wdir", dir.resolve("wdir").toString()));
        }
        cmd.addAll(List.of("-cp", cp, check.getName(), dir.resolve("result").toString()));
        cmd.addAll(List.of(extra));
        return DoptProcess.exec(cmd, dir, 300);
    }

    private void assertOk(int np) throws Exception {
        Path result = dir.resolve("result");
        assertTrue(Files.exists(result), "rank 0 wrote no result");
        String text = Files.readString(result);
        assertTrue(text.startsWith("OK ranks=" + np), text);
    }

    @Test
    void multicoreTwoRanks() throws Exception {
        assertEquals(0, starter(2, "multicore").exitCode());
        assertOk(2);
    }

    @Test
    void multicoreFourRanks() throws Exception {
        assertEquals(0, starter(4, "multicore").exitCode());
        assertOk(4);
    }

    @Test
    void multicoreMessageLargerThan256MiBIsChunked() throws Exception {
        assertEquals(0, starter(2, "multicore", "big").exitCode());
        assertOk(2);
    }

    @Test
    void niodevTwoRankProcesses() throws Exception {
        Daemon.start();
        assertEquals(0, starter(2, "niodev").exitCode());
        assertOk(2);
    }

    @Test
    void multicoreByteMessagesTwoRanks() throws Exception {
        assertEquals(0, starter(ByteMessagesCheck.class, 2, "multicore").exitCode());
        assertOk(2);
    }

    @Test
    void multicoreByteMessagesFourRanks() throws Exception {
        assertEquals(0, starter(ByteMessagesCheck.class, 4, "multicore").exitCode());
        assertOk(4);
    }

    @Test
    void niodevByteMessagesTwoRankProcesses() throws Exception {
        Daemon.start();
        assertEquals(0, starter(ByteMessagesCheck.class, 2, "niodev").exitCode());
        assertOk(2);
    }

    @AfterAll
    static void stopDaemon() throws Exception { Daemon.stop(); }
}
