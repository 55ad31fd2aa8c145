package dopt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepFileTest {
    @TempDir Path dir;

    private static String error(String json) {
        return assertThrows(SweepException.class, () -> SweepFile.parse(json, "t.json", null)).getMessage();
    }

    @Test
    void defaultsAreTwoMulticoreRanksOnOneNodeIntoRunsSweepsName() throws Exception {
        Sweep s = SweepFile.parse("{\"name\": \"a\", \"base\": {}, \"axes\": {\"seed\": [1, 2, 3]}}", "t", null);
        assertEquals(2, s.np());
        assertEquals("multicore", s.dev());
        assertEquals(1, s.nodes());
        assertEquals(2, s.ranksPerNode());
        assertEquals(3, s.size());
        assertEquals(Path.of("runs/sweeps/a").toAbsolutePath(), s.folder());
        assertEquals(List.of(), s.sbatch());
    }

    @Test
    void aBasePathIsFoundFromTheWorkingDirectoryOrTheRepository() throws Exception {
        Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(dir.resolve("jobs/b.json"), "{\"steps\": 7}");
        Sweep s = SweepFile.parse("{\"name\": \"a\", \"base\": \"jobs/b.json\"}", "t", dir);
        assertEquals(7, s.base().get("steps").asInt());
        assertEquals("b", s.base().get("name").asText(), "a base file without a name is named after the file, as dopt run does");
        String missing = error("{\"name\": \"a\", \"base\": \"jobs/none.json\"}");
        assertTrue(missing.contains("jobs/none.json does not exist"), missing);
    }

    @Test
    void mistakesAreNamed() {
        assertTrue(error("{\"name\": \"a\", \"base\": {}, \"axis\": {}}").contains("unknown field 'axis'; allowed fields: axes, base"));
        assertTrue(error("{\"base\": {}}").contains("'name'"));
        assertTrue(error("{\"name\": \"a b\", \"base\": {}}").contains("'name' must be"));
        assertTrue(error("{\"name\": \"a\"}").contains("'base' is missing"));
        assertTrue(error("{\"name\": \"a\", \"base\": {}, \"axes\": {\"seed\": []}}").contains("axis 'seed' must be a non-empty list"));
        assertTrue(error("{\"name\": \"a\", \"base\": {}, \"axes\": {\"seed\": 3}}").contains("axis 'seed' must be a non-empty list"));
        assertTrue(error("{\"name\": \"a\", \"base\": {}, \"dev\": \"mpi\"}").contains("'dev' must be multicore or niodev"));
        assertTrue(error("{\"name\": \"a\", \"base\": {}, \"np\": 2.5}").contains("'np' must be an integer"));
        assertTrue(error("{\"name\": \"a\", \"base\": {}, \"nodes\": 2}").contains("dev multicore runs"));
        assertTrue(error("{\"name\": \"a\", \"base\": {}, \"dev\": \"niodev\", \"np\": 4, \"nodes\": 2, \"ranks_per_node\": 3}")
                .contains("must equal nodes x ranks_per_node"));
        assertTrue(error("{\"name\": \"a\", \"base\": {}, \"sbatch\": [\"time=1\"]}").contains("starting with '-'"));
        assertTrue(error("{\"name\": \"a\", \"base\": {} ").contains("not valid JSON"));
    }
}
