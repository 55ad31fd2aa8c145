package dopt.train;

import static dopt.tensor.BitExact.assertSameParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.InProcessCommunicator;
import dopt.io.RunSummary;
import dopt.job.Job;
import dopt.job.JobFile;
import dopt.tensor.Param;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The round loop on 2 and 4 ranks that are threads of this JVM ({@link InProcessCommunicator}):
 * the same loop and policies as under MPJ, in seconds.
 */
class TrainerOnThreadRanksTest {
    @TempDir Path dir;

    private static final Path REPO = Path.of("").toAbsolutePath();

    /** Trains {@code job} on {@code ranks} thread ranks (resuming from {@code resume} unless null) and returns rank 0's parameters. */
    static List<Param> train(Job job, int ranks, Path out, Path resume) throws Exception {
        return InProcessCommunicator.run(ranks, 60_000, comm -> {
            Trainer t = new Trainer(job, comm, out, REPO, new PrintStream(new ByteArrayOutputStream()), resume);
            RunSummary s = t.run();
            assertEquals(ranks, s.ranks());
            return t.params();
        }).get(0);
    }

    @Test
    void theDemoOnTwoThreadRanksEndsWithTheParametersOfTheMpjMulticoreDemo() throws Exception {
        // e1a2155b...: FNV-1a of the final parameters of `./dopt demo` (2 MPJ multicore ranks), taken from
        // its checkpoint before the round loop was split into policies; the thread ranks reduce in the same order
        Job demo = JobFile.read(REPO.resolve("jobs/demo.json"));
        List<Param> p = train(demo, 2, dir.resolve("demo"), null);
        assertEquals("e1a2155bdbbf53ec", Long.toHexString(ReplicaCheck.hash(p)));
    }

    @Test
    void fourRanksWithEachPolicyTrainAndResumeBitForBit() throws Exception {
        for (String comm : List.of("{}", "{\"compressor\": \"topk\", \"ratio\": 0.05, \"error_feedback\": \"ef21\"}",
                "{\"compressor\": \"powersgd\", \"rank\": 2, \"error_feedback\": \"ef14\"}",
                "{\"local_steps\": 4, \"average_preconditioner\": true}")) {
            Job j = JobFile.parse("""
                {"name": "t", "model": {"hidden": [32]}, "data": {"batch_size": 16},
                 "optimizer": {"name": "adam", "lr": 0.003}, "steps": 40, "seed": 4, "eval_every": 0,
                 "checkpoint": {"every": 20, "keep": 5}, "verify_replicas": true, "comm": %s}""".formatted(comm), "t");
            String name = j.comm.compressor.name().toLowerCase() + j.comm.localSteps;
            List<Param> full = train(j, 4, dir.resolve(name + "-full"), null);
            var summary = RunSummary.read(dir.resolve(name + "-full/summary.json"));
            assertTrue(summary.testAccuracy() > 0.5, name + " learns on 4 ranks (chance 0.1): " + summary.testAccuracy());
            assertTrue(summary.bytesSentTotal() > 0, "bytes were counted");
            List<Param> resumed = train(j, 4, dir.resolve(name + "-resumed"), dir.resolve(name + "-full/checkpoints/ckpt-000020.h5"));
            assertSameParams(full, resumed, name);
        }
    }

    private static Job robustJob(String sections, int steps) throws Exception {
        return JobFile.parse("""
            {"name": "byz", "model": {"hidden": [32]}, "data": {"batch_size": 16},
             "optimizer": {"name": "adam", "lr": 0.003}, "steps": %d, "seed": 4, "eval_every": 0,
             "checkpoint": {"every": 20, "keep": 5}, "verify_replicas": true, %s}""".formatted(steps, sections), "byz");
    }

    @Test
    void oneByzantineRankOfFourPoisonsTheMeanButNotTheMedian() throws Exception {
        // rank 3 sends Gaussian noise of scale 30 instead of its gradient (forged on a real rank, through the same collective)
        String attack = "\"byzantine\": {\"count\": 1, \"attack\": \"gaussian\", \"mu\": 0.0, \"sigma\": 30.0}";
        train(robustJob(attack + ", \"aggregation\": {\"rule\": \"mean\"}", 40), 4, dir.resolve("byz-mean"), null);
        double poisoned = RunSummary.read(dir.resolve("byz-mean/summary.json")).testAccuracy();
        train(robustJob(attack + ", \"aggregation\": {\"rule\": \"median\"}", 40), 4, dir.resolve("byz-median"), null);
        RunSummary robust = RunSummary.read(dir.resolve("byz-median/summary.json"));
        assertTrue(robust.testAccuracy() > 0.6, "the median trains through the attack: " + robust.testAccuracy());
        assertTrue(poisoned < robust.testAccuracy() - 0.2, "the mean is poisoned: " + poisoned + " vs " + robust.testAccuracy());
        assertEquals("robust median, 1 Byzantine rank(s)", robust.exchange());
    }

    @Test
    void robustRunsWithStatefulRulesResumeBitForBit() throws Exception {
        // centered clipping keeps its centre, bucketing its shuffle, a Gaussian attacker its noise generator: all in the state tree
        Job j = robustJob("\"byzantine\": {\"ranks\": [1], \"attack\": \"gaussian\", \"mu\": 0.0, \"sigma\": 5.0}, "
                + "\"aggregation\": {\"rule\": \"centered_clipping\", \"tau\": 1.0, \"L\": 2, "
                + "\"pre_aggregators\": [{\"name\": \"bucketing\", \"s\": 2}]}", 40);
        List<Param> full = train(j, 4, dir.resolve("cc-full"), null);
        List<Param> resumed = train(j, 4, dir.resolve("cc-resumed"), dir.resolve("cc-full/checkpoints/ckpt-000020.h5"));
        assertSameParams(full, resumed, "centered clipping + bucketing under a Gaussian attacker");
    }

    @Test
    void aRobustJobThatCannotWorkIsRefusedBeforeTraining() throws Exception {
        Job tooMany = robustJob("\"aggregation\": {\"rule\": \"trimmed_mean\", \"f\": 2}", 4);
        var e = org.junit.jupiter.api.Assertions.assertThrows(dopt.job.JobException.class, () -> JobPlan.check(tooMany, REPO, 4));
        assertTrue(e.getMessage().startsWith("aggregation: ") && e.getMessage().contains("2f < n"), e.getMessage());
        Job unread = robustJob("\"aggregation\": {\"rule\": \"median\", \"f\": 1}", 4);
        e = org.junit.jupiter.api.Assertions.assertThrows(dopt.job.JobException.class, () -> JobPlan.check(unread, REPO, 4));
        assertTrue(e.getMessage().contains("median") && e.getMessage().contains("'f'"), e.getMessage());
        Job bucketed = robustJob("\"aggregation\": {\"rule\": \"trimmed_mean\", \"f\": 1, \"pre_aggregators\": [{\"name\": \"bucketing\", \"s\": 2}]}", 4);
        e = org.junit.jupiter.api.Assertions.assertThrows(dopt.job.JobException.class, () -> JobPlan.check(bucketed, REPO, 4));
        assertTrue(e.getMessage().contains("after bucketing the rule sees 2 rows"), e.getMessage());
        Job outside = robustJob("\"byzantine\": {\"ranks\": [7], \"attack\": \"sign_flip\"}", 4);
        e = org.junit.jupiter.api.Assertions.assertThrows(dopt.job.JobException.class, () -> JobPlan.check(outside, REPO, 4));
        assertTrue(e.getMessage().contains("rank 7"), e.getMessage());
    }
}
