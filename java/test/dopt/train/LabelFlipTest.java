package dopt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.InProcessCommunicator;
import dopt.data.BatchLoader;
import dopt.data.Dataset;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.nn.Batch;
import dopt.random.Rng;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The label-flipping attack: a Byzantine rank's data, not its message, is what the attacker changes. */
class LabelFlipTest {
    private static final Path REPO = Path.of("").toAbsolutePath();

    @Test
    void labelsBecomeCMinusOneMinusY() {
        int[] digits = {0, 1, 2, 9, 5};
        LabelFlip.flip(digits, 4, 10);
        assertArrayEquals(new int[] {9, 8, 7, 0, 5}, digits, "C = 10 (V's 9 - target); only the first 4 labels are the batch's");
        int[] binary = {0, 1, 1};
        LabelFlip.flip(binary, 3, 2);
        assertArrayEquals(new int[] {1, 0, 0}, binary, "C = 2 (V's LibSVM 1 - y)");
    }

    @Test
    void aFlippedLoaderDrawsTheSameExamplesWithFlippedLabels() {
        float[] x = new float[12 * 2];
        int[] y = new int[12];
        for (int i = 0; i < 12; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i % 3;
        }
        Dataset d = new Dataset("three classes", x, y, 12, 2, 3);
        int[] shard = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        Batches<Batch.Examples> honest = Batches.examples(new BatchLoader(d, shard, 4, 7, 0), 4, 2);
        Batches<Batch.Examples> flipped = new LabelFlip(Batches.examples(new BatchLoader(d, shard, 4, 7, 0), 4, 2), 3);
        for (int b = 0; b < 5; b++) { // over an epoch boundary: the loader's order is untouched
            Batch.Examples h = honest.next(), f = flipped.next();
            assertArrayEquals(h.x(), f.x(), 0f, "the same examples");
            for (int i = 0; i < 4; i++) assertEquals(2 - h.y()[i], f.y()[i], "batch " + b + ", example " + i);
        }
        assertArrayEquals(honest.position(), flipped.position(), "the position is the loader's");
    }

    private static Job job(String byzantine) throws JobException {
        return JobFile.parse("""
            {"name": "lf", "model": {"hidden": [16]}, "data": {"batch_size": 8},
             "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0}, "steps": 1, "seed": 3, "eval_every": 0,
             "aggregation": {"rule": "mean"}%s}""".formatted(byzantine), "lf");
    }

    /** Rank {@code rank}'s gradient on its first batch under {@code job} (of 4 ranks), built as a rank builds it. */
    private static float[] firstGradient(Job job, int rank) throws JobException {
        Task<?> t = JobPlan.buildTask(job, REPO, 4, rank);
        t.init(Rng.derive(job.seed, 1));
        t.forwardBackward();
        float[] g = new float[Flat.length(t.params())];
        Flat.gather(t.params(), Flat.GRAD, g);
        return g;
    }

    @Test
    void onFourThreadRanksTheFlippingRankSendsTheGradientOfFlippedLabelsThroughTheSameCollective() throws Exception {
        Job attacked = job(", \"byzantine\": {\"ranks\": [3], \"attack\": \"label_flip\"}");
        Job honest = job("");
        // each rank: its own gradient of step 1's batch, then the robust mean the exchange agreed on
        List<float[][]> out = InProcessCommunicator.run(4, 60_000, comm -> {
            Replica r = new Replica(attacked, comm, REPO, null);
            float loss = r.task.forwardBackward();
            int n = Flat.length(r.params);
            float[] own = new float[n], agreed = new float[n];
            Flat.gather(r.params, Flat.GRAD, own);
            r.policy.step(1, loss, false, UpdateGuard.NONE);
            Flat.gather(r.params, Flat.GRAD, agreed);
            return new float[][] {own, agreed};
        });
        float[] flippedRank = out.get(3)[0], sameBatchHonest = firstGradient(honest, 3);
        double diff = 0, size = 0;
        for (int k = 0; k < flippedRank.length; k++) {
            diff = Math.max(diff, Math.abs(flippedRank[k] - sameBatchHonest[k]));
            size = Math.max(size, Math.abs(sameBatchHonest[k]));
        }
        assertTrue(diff > 0.1 * size, "rank 3's gradient of its batch with flipped labels differs from the honest one: max "
                + diff + " against gradient entries up to " + size);
        assertArrayEquals(firstGradient(honest, 0), out.get(0)[0], 0f, "an honest rank's gradient is untouched");
        // the mean rule over the 4 rows the collective carried: the flipped rank's row is one of them
        for (int k = 0; k < flippedRank.length; k++) {
            float mean = (out.get(0)[0][k] + out.get(1)[0][k] + out.get(2)[0][k] + out.get(3)[0][k]) / 4;
            assertEquals(mean, out.get(0)[1][k], 1e-6f, "coordinate " + k);
        }
        for (int r = 1; r < 4; r++) assertArrayEquals(out.get(0)[1], out.get(r)[1], 0f, "every rank holds the same aggregate");
    }

    @Test
    void aJobRefusesParametersOnLabelFlipAndLabelFlipOnATextModel() throws Exception {
        Job withEps = job(", \"byzantine\": {\"count\": 1, \"attack\": \"label_flip\", \"eps\": 0.1}");
        JobException e = assertThrows(JobException.class, () -> RobustMean.check(withEps, 4));
        assertTrue(e.getMessage().contains("label_flip takes no parameters") && e.getMessage().contains("eps"), e.getMessage());
        Job lm = JobFile.parse("""
            {"model": {"type": "transformer", "preset": "tiny"}, "data": {"dataset": "sotu", "seq_len": 32},
             "byzantine": {"count": 1, "attack": "label_flip"}}""", "lm");
        e = assertThrows(JobException.class, () -> RobustMean.check(lm, 4));
        assertTrue(e.getMessage().contains("mlp or cnn"), e.getMessage());
    }
}
