package dopt.train;

import static dopt.tensor.BitExact.assertSameParams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.io.Trace;
import dopt.io.TraceData;
import dopt.job.Job;
import dopt.job.JobFile;
import dopt.tensor.Param;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MeritFed ({@link MeritFedAggregation}) and local-only training through the round loop on thread ranks. */
class MeritFedTest {
    @TempDir Path dir;

    /** 8 clients on the MNIST slice: 0-2 on labels 0-4 (client 0 the target), 3-7 on labels 5-9. */
    private static Job job(String aggregation, int steps) throws Exception {
        return JobFile.parse("""
            {"name": "merit", "model": {"hidden": [16]},
             "data": {"sharding": "label_groups", "label_groups": [{"labels": [0, 1, 2, 3, 4], "shards": 3},
              {"labels": [5, 6, 7, 8, 9], "shards": 5}], "test_labels": [0, 1, 2, 3, 4], "batch_size": 16},
             "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0}, "steps": %d, "seed": 4, "eval_every": 0,
             "checkpoint": {"every": 3, "keep": 5}, "verify_replicas": true,
             "federated": {"clients": 8, "local_steps": 2, %s}}""".formatted(steps, aggregation), "merit");
    }

    private static final String MERITFED = "\"aggregation\": \"meritfed\", \"target_client\": 0, "
            + "\"meritfed\": {\"md_steps\": 4, \"md_lr\": %s, \"validation_batches\": 2}";

    private static List<Param> train(Job job, int ranks, Path out, Path resume) throws Exception {
        return TrainerOnThreadRanksTest.train(job, ranks, out, resume);
    }

    @Test
    void theWeightsOfEveryRoundAreInTheTraceOnTheSimplexAndAResumedRunEndsBitForBitTheSame() throws Exception {
        Job j = job(MERITFED.formatted("5.0"), 6);
        List<Param> full = train(j, 4, dir.resolve("full"), null);
        List<Param> resumed = train(j, 4, dir.resolve("resumed"), dir.resolve("full/checkpoints/ckpt-000003.h5"));
        assertSameParams(full, resumed, "meritfed resume at round 3");
        TraceData a = Trace.read(dir.resolve("full/trace.h5")), b = Trace.read(dir.resolve("resumed/trace.h5"));
        float[][] w = a.tables().get("federated/weights").values();
        assertEquals(6, w.length, "a row per round");
        for (float[] row : w) {
            assertEquals(8, row.length, "a column per client");
            double sum = 0;
            for (float x : row) sum += x;
            assertEquals(1, sum, 1e-5, "on the simplex");
        }
        assertTrue(w[5][0] != w[5][7], "the weights moved from uniform: " + java.util.Arrays.toString(w[5]));
        float[][] wb = b.tables().get("federated/weights").values();
        for (int r = 0; r < 6; r++) assertArrayEquals(w[r], wb[r], "round " + (r + 1) + "'s weights after resume");
    }

    @Test
    void withAVanishingMirrorStepTheWeightsStayUniformAndMeritFedIsFedAvgOverEqualShards() throws Exception {
        // iid shards of 6000 / 8 = 750 samples: FedAvg's data-size weights are 1/8 each, MeritFed's start there and
        // md_lr 1e-12 leaves them (exp of ~1e-12 rounds to 1 within 1e-9); the two sums of the deltas run in other
        // orders (float per rank then allreduce, against double over all rows), so equal within float rounding
        String common = """
            {"name": "%s", "model": {"hidden": [16]}, "data": {"batch_size": 16},
             "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0}, "steps": 3, "seed": 4, "eval_every": 0,
             "federated": {"clients": 8, "local_steps": 2 %s}}""";
        Job merit = JobFile.parse(common.formatted("m", ", " + MERITFED.formatted("1e-12")), "m");
        Job fedavg = JobFile.parse(common.formatted("f", ""), "f");
        List<Param> m = train(merit, 2, dir.resolve("m"), null), f = train(fedavg, 2, dir.resolve("f"), null);
        float[][] w = Trace.read(dir.resolve("m/trace.h5")).tables().get("federated/weights").values();
        for (float[] row : w) for (float x : row) assertEquals(0.125, x, 1e-9, "uniform weights");
        double maxDiff = 0;
        for (int i = 0; i < m.size(); i++)
            for (int k = 0; k < m.get(i).size(); k++) maxDiff = Math.max(maxDiff, Math.abs(m.get(i).value()[k] - f.get(i).value()[k]));
        assertTrue(maxDiff < 1e-6, "MeritFed with uniform weights = FedAvg over equal shards, max difference " + maxDiff);
    }

    @Test
    void localOnlyTrainsTheTargetAloneAndLearnsItsLabels() throws Exception {
        Job j = job("\"aggregation\": \"local\", \"target_client\": 0", 6);
        train(j, 4, dir.resolve("local"), null);
        TraceData t = Trace.read(dir.resolve("local/trace.h5"));
        float[][] local = t.floats("loss");
        for (int r = 0; r < 6; r++)
            for (int rank = 0; rank < 4; rank++)
                assertEquals(rank == 0, Float.isFinite(local[r][rank]), "round " + (r + 1) + ": only rank 0 (the target's host) trains");
        assertTrue(t.tables().isEmpty(), "no weights table without meritfed");
        double acc = dopt.io.RunSummary.read(dir.resolve("local/summary.json")).testAccuracy();
        assertTrue(acc > 0.4, "local-only on labels 0-4, tested on labels 0-4 (chance 0.2): " + acc);
    }
}
