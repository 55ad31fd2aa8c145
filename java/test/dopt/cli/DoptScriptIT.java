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
}
