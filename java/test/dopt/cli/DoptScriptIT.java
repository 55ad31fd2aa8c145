package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code ./dopt} script itself, as a user calls it. */
class DoptScriptIT {

    @Test
    void versionPrintsTheVersion() throws Exception {
        for (String flag : List.of("--version", "-V", "version")) {
            DoptProcess.Result r = DoptProcess.exec(List.of("bash", DoptProcess.repo().resolve("dopt").toString(), flag), DoptProcess.repo(), 60);
            assertEquals(0, r.exitCode(), flag + ": " + r.output());
            assertTrue(r.output().trim().matches("dopt \\d+\\.\\d+\\.\\d+.*"), flag + ": " + r.output());
        }
    }

    /** The README's first command works again on the same machine: a demo replaces its own earlier run. */
    @Test
    void theDemoRunsTwiceIntoItsFolder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (int run = 1; run <= 2; run++) {
            DoptProcess.Result r = DoptProcess.dopt(dir, 300, "demo", "--output", "demo");
            assertEquals(0, r.exitCode(), "demo run " + run + ": " + r.output());
            assertTrue(java.nio.file.Files.exists(dir.resolve("demo/_SUCCESS")), "run " + run);
        }
    }
}
