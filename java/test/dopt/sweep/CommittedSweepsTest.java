package dopt.sweep;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every committed sweep expands: its base job and each point are accepted jobs. */
class CommittedSweepsTest {
    @Test
    void everyCommittedSweepExpands() throws Exception {
        try (var files = Files.list(Path.of("jobs", "sweeps"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList())
                assertTrue(Expansion.expand(SweepFile.read(f, Path.of("").toAbsolutePath())).size() > 0, f.toString());
        }
    }
}
