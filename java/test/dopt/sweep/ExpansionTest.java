package dopt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.job.Job;
import dopt.job.JobFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpansionTest {
    @TempDir Path dir;

    private Sweep sweep(String axes) throws SweepException {
        return SweepFile.parse("""
                {"name": "s", "base": {"model": {"hidden": [32]}, "optimizer": {"name": "adam", "lr": 0.001}, "steps": 10},
                 "axes": %s, "output": "%s"}""".formatted(axes, dir.resolve("out")), "test.json", null);
    }

    private String error(String axes) {
        return assertThrows(SweepException.class, () -> Expansion.expand(sweep(axes))).getMessage();
    }

    @Test
    void theCartesianProductVariesTheLastAxisFastest() throws Exception {
        List<Point> points = Expansion.expand(sweep("{\"optimizer.lr\": [0.1, 0.01, 0.001], \"seed\": [1, 2]}"));
        assertEquals(6, points.size());
        assertEquals("optimizer.lr=0.1, seed=1", points.get(0).describe());
        assertEquals("optimizer.lr=0.1, seed=2", points.get(1).describe());
        assertEquals("optimizer.lr=0.001, seed=2", points.get(5).describe());
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            assertEquals(i, p.index());
            assertEquals(String.format("p%03d", i), p.id());
            Job j = JobFile.parse(p.job().toString(), p.id());
            assertEquals(p.values().get("optimizer.lr").asDouble(), j.optimizer.lr);
            assertEquals(p.values().get("seed").asLong(), j.seed);
            assertEquals("s-" + p.id(), j.name);
            assertEquals(10, j.steps, "fields the axes do not touch keep the base's value");
            assertEquals(List.of(32), j.model.hidden);
        }
    }

    @Test
    void anAxisMayNameAFieldTheBaseLeavesToItsDefault() throws Exception {
        List<Point> points = Expansion.expand(sweep("{\"data.batch_size\": [16, 64], \"comm.timeout_s\": [5], \"model.hidden\": [[8], [8, 8]]}"));
        assertEquals(4, points.size());
        Job j = JobFile.parse(points.get(3).job().toString(), "p");
        assertEquals(64, j.data.batchSize);
        assertEquals(5, j.comm.timeoutS);
        assertEquals(List.of(8, 8), j.model.hidden);
    }

    @Test
    void namedVariantsMergeTheirFieldsAndNameThePointByLabel() throws Exception {
        List<Point> points = Expansion.expand(sweep("""
                {".": {"small": {"model": {"hidden": [8]}, "steps": 5}, "base": {}},
                 "optimizer": {"adamw": {"name": "adamw"}, "frugal-25%": {"name": "frugal", "state_budget": "25%"}},
                 "seed": [1, 2]}"""));
        assertEquals(8, points.size());
        assertEquals(".=small, optimizer=frugal-25%, seed=2", points.get(3).describe());
        Job j = JobFile.parse(points.get(3).job().toString(), "p");
        assertEquals(List.of(8), j.model.hidden);
        assertEquals(5, j.steps);
        assertEquals(Job.OptimizerName.FRUGAL, j.optimizer.name);
        assertEquals("25%", j.optimizer.stateBudget);
        assertEquals(0.001, j.optimizer.lr, "the base's other optimizer fields stay: the variant merges, it does not replace");
        Job base = JobFile.parse(points.get(4).job().toString(), "p");
        assertEquals(List.of(32), base.model.hidden, "an empty variant is the base job");
        assertEquals(10, base.steps);
    }

    @Test
    void namedVariantsSetFieldsOfAnObject() {
        assertTrue(error("{\"optimizer.lr\": {\"fast\": {\"x\": 1}}}").contains("give it a list of values instead"));
        assertTrue(error("{\".\": [1, 2]}").contains("takes named variants"));
    }

    @Test
    void noAxesIsOnePointTheBaseJob() throws Exception {
        List<Point> points = Expansion.expand(sweep("{}"));
        assertEquals(1, points.size());
        assertEquals("(the base job)", points.get(0).describe());
    }

    @Test
    void anUnknownAxisNamesThePathAndTheFieldsThere() {
        String e = error("{\"optimizer.rhoo\": [0.1]}");
        assertTrue(e.contains("'optimizer.rhoo'"), e);
        assertTrue(e.contains("'optimizer' has") && e.contains("lr") && e.contains("rho") && e.contains("beta1"), e);
        String top = error("{\"stpes\": [1]}");
        assertTrue(top.contains("'stpes'") && top.contains("the job's fields are") && top.contains("steps"), top);
        String through = error("{\"steps.max\": [1]}");
        assertTrue(through.contains("'steps' is a value"), through);
    }

    @Test
    void nameAndOutputAreNotAxes() {
        assertTrue(error("{\"output\": [\"a\"]}").contains("cannot be swept"));
        assertTrue(error("{\"name\": [\"a\"]}").contains("cannot be swept"));
    }

    @Test
    void aBadValueFailsAtExpansionNamingItsPoint() {
        String e = error("{\"seed\": [1], \"optimizer.lr\": [0.1, -1]}");
        assertTrue(e.contains("point p001") && e.contains("optimizer.lr=-1") && e.contains("'optimizer.lr' must be a positive number"), e);
        String type = error("{\"optimizer.name\": [\"adam\", \"lion\"]}");
        assertTrue(type.contains("p001") && type.contains("\"lion\"") && type.contains("allowed values"), type);
    }

    @Test
    void theCommittedSweepFilesExpand() throws Exception {
        Path repo = Path.of(System.getProperty("dopt.repo", ".")).toAbsolutePath();
        int files = 0;
        try (var list = Files.list(repo.resolve("jobs/sweeps"))) {
            for (Path f : list.filter(p -> p.toString().endsWith(".json")).toList()) {
                Sweep s = SweepFile.read(f, repo);
                assertEquals(s.size(), Expansion.expand(s).size(), f.toString());
                files++;
            }
        }
        assertTrue(files >= 2, "jobs/sweeps holds example sweeps");
    }
}
