package dopt.train;

import static dopt.tensor.BitExact.assertSameParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.InProcessCommunicator;
import dopt.data.BatchLoader;
import dopt.data.Dataset;
import dopt.io.RunSummary;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.nn.Batch;
import dopt.nn.Network;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byz-VR-MARINA(-PP) as an exchange policy ({@link ByzVrMarina}). */
class ByzVrMarinaTest {
    @TempDir Path dir;

    /**
     * A synthetic quadratic: example j = (a_j, c_j) ∈ ℝ × ℝ², loss ½ a_j ‖x − c_j‖², so a batch's
     * gradient is the mean of a_j (x − c_j) and a difference of two points on one example is
     * a_j (x − y), exactly.
     */
    private static final class Quadratic implements Network<Batch.Examples> {
        final Param x = new Param("x", Param.Role.BIAS, 2);

        @Override public List<Param> params() { return List.of(x); }
        @Override public void init(Rng rng) { }

        @Override
        public float forwardBackward(Batch.Examples b) {
            float[] g = x.grad(), v = x.value(), f = b.x();
            g[0] = 0;
            g[1] = 0;
            double loss = 0;
            for (int j = 0; j < b.size(); j++) {
                float a = f[3 * j], d0 = v[0] - f[3 * j + 1], d1 = v[1] - f[3 * j + 2];
                g[0] += a * d0 / b.size();
                g[1] += a * d1 / b.size();
                loss += 0.5 * a * (d0 * d0 + d1 * d1);
            }
            return (float) (loss / b.size());
        }

        @Override public float loss(Batch.Examples b) { throw new UnsupportedOperationException(); }
    }

    /** (a, c1, c2) of the 4 examples. */
    private static final float[] EXAMPLES = {1, 1, 0, 2, 0, 1, 3, -1, 0, 4, 0, 2};
    private static final Dataset DATA = new Dataset("synthetic quadratic", EXAMPLES, new int[4], 4, 3, 1);
    private static final int[] SHARD = {0, 1, 2, 3};

    @Test
    void oneRankWithoutCompressionClippingOrCoinIsSarahOnAQuadratic() throws Exception {
        Job job = JobFile.parse("""
            {"optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0}, "steps": 3, "seed": 5, "byz_vr_marina": {"p": 0}}""", "sarah");
        float[][] xs = InProcessCommunicator.run(1, 10_000, comm -> {
            Quadratic q = new Quadratic();
            Task<Batch.Examples> task = new Task<>(q, Batches.examples(new BatchLoader(DATA, SHARD, 1, 5, 0), 1, 3),
                    (m, c) -> new double[] {Double.NaN, Double.NaN}, "synthetic quadratic", "", Double.NaN);
            StateTree state = new StateTree();
            Optimizer sgd = Optimizers.build(job.optimizer, job.steps, job.seed, task.params(), state, "optim");
            ByzVrMarina m = ByzVrMarina.forJob(job, comm, Rng.derive(5, 2, 0), task.params(), sgd, state, task);
            float[][] out = new float[4][];
            out[0] = q.x.value().clone();
            for (int s = 1; s <= 3; s++) {
                assertTrue(m.step(s, Float.NaN, false, UpdateGuard.NONE).agreed);
                out[s] = q.x.value().clone();
            }
            return out;
        }).get(0);
        // the examples the loader draws at steps 2 and 3 (batch 1; step 1 is the full gradient and draws none)
        BatchLoader twin = new BatchLoader(DATA, SHARD, 1, 5, 0);
        float[] row = new float[3];
        twin.next(row, new int[1]);
        double a1 = row[0];
        twin.next(row, new int[1]);
        double a2 = row[0];
        // by hand, x0 = 0, gamma = 0.1: g0 = grad F(x0) = 1/4 [1(-1, 0) + 2(0, -1) + 3(1, 0) + 4(0, -2)] = (0.5, -2.5)
        double[] g0 = {0.5, -2.5};
        double[] x1 = {-0.05, 0.25};
        // SARAH: g1 = g0 + grad f_b1(x1) - grad f_b1(x0) = g0 + a_b1 (x1 - x0); x2 = x1 - 0.1 g1; the same once more
        double[] g1 = {g0[0] + a1 * x1[0], g0[1] + a1 * x1[1]};
        double[] x2 = {x1[0] - 0.1 * g1[0], x1[1] - 0.1 * g1[1]};
        double[] g2 = {g1[0] + a2 * (x2[0] - x1[0]), g1[1] + a2 * (x2[1] - x1[1])};
        double[] x3 = {x2[0] - 0.1 * g2[0], x2[1] - 0.1 * g2[1]};
        for (int i = 0; i < 2; i++) {
            assertEquals(0f, xs[0][i], 0f);
            assertEquals(x1[i], xs[1][i], 1e-7, "x1[" + i + "]");
            assertEquals(x2[i], xs[2][i], 1e-6, "x2[" + i + "]");
            assertEquals(x3[i], xs[3][i], 1e-6, "x3[" + i + "]");
        }
        // and not SGD on the batch: x1 - 0.1 grad f_b1(x1) moves elsewhere (the estimator remembers g0)
        twin = new BatchLoader(DATA, SHARD, 1, 5, 0);
        twin.next(row, new int[1]);
        double sgd0 = x1[0] - 0.1 * row[0] * (x1[0] - row[1]);
        assertTrue(Math.abs(sgd0 - xs[2][0]) > 1e-3, "SARAH " + xs[2][0] + " vs SGD " + sgd0);
    }

    @Test
    void theCoinAndTheEpochStartDecideTheFullSteps() throws Exception {
        ByzVrMarina never = policy(0, 0), always = policy(1, 0), epochs = policy(0, 4), half = policy(0.5, 0);
        int fullOfHalf = 0;
        for (long s = 1; s <= 400; s++) {
            assertEquals(s == 1, never.fullStep(s), "p = 0: only the first step, step " + s);
            assertTrue(always.fullStep(s));
            assertEquals((s - 1) % 4 == 0, epochs.fullStep(s), "full_every 4: steps 1, 5, 9, ...");
            if (half.fullStep(s)) fullOfHalf++;
            assertEquals(half.fullStep(s), policy(0.5, 0).fullStep(s), "a function of (seed, step): every rank, every resume");
        }
        assertTrue(fullOfHalf > 160 && fullOfHalf < 240, "p = 0.5: about half of 400 steps, got " + fullOfHalf);
    }

    private static ByzVrMarina policy(double p, int fullEvery) { return policy(7, p, fullEvery); }

    /** A policy that only decides its full steps (seed {@code seed}). */
    private static ByzVrMarina policy(long seed, double p, int fullEvery) {
        return new ByzVrMarina(List.of(new Param("x", Param.Role.BIAS, 1)), null, null, null, null, null, seed, p, Double.NaN, fullEvery, 0,
                new float[1], new float[1]);
    }

    private static Job job(String marina, String extra) throws JobException {
        return JobFile.parse("""
            {"name": "marina", "model": {"hidden": [16]}, "data": {"batch_size": 16},
             "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0}, "steps": 20, "seed": 4, "eval_every": 0,
             "checkpoint": {"every": 4, "keep": 10}, "verify_replicas": true, "byz_vr_marina": %s%s}""".formatted(marina, extra), "marina");
    }

    @Test
    void fourThreadRanksWithSamplingCompressionClippingAndAnAttackerResumeBitForBit() throws Exception {
        // 3 of 4 ranks a step, rank 3 sends Gaussian noise, Q = rand-k 50 %, full gradients with p = 0.2
        Job j = job("{\"p\": 0.2, \"alpha_clip\": 1.0}", """
            , "comm": {"compressor": "randk", "ratio": 0.5}, "aggregation": {"rule": "median", "sampled": 3},
              "byzantine": {"count": 1, "attack": "gaussian", "mu": 0, "sigma": 1}""");
        List<Param> full = TrainerOnThreadRanksTest.train(j, 4, dir.resolve("full"), null);
        // a checkpoint whose next step is a difference step, which reads x^k and g^k from the restored state
        int at = 8;
        while (policy(4, 0.2, 0).fullStep(at + 1)) at += 4;
        assertTrue(at < 20, "a difference step after some checkpoint");
        List<Param> resumed = TrainerOnThreadRanksTest.train(j, 4, dir.resolve("resumed"),
                dir.resolve("full/checkpoints/ckpt-%06d.h5".formatted(at)));
        assertSameParams(full, resumed, "Byz-VR-MARINA-PP resumed at step " + at);
        RunSummary s = RunSummary.read(dir.resolve("full/summary.json"));
        assertTrue(s.testAccuracy() > 0.3, "it learns (chance 0.1): " + s.testAccuracy());
    }

    @Test
    void withEveryRankSampledItIsByzVrMarinaAndTheDefaultIsEveryRank() throws Exception {
        List<Param> all = TrainerOnThreadRanksTest.train(job("{\"p\": 0.1}", ", \"aggregation\": {\"rule\": \"mean\", \"sampled\": 3}"), 3,
                dir.resolve("c3"), null);
        List<Param> unsampled = TrainerOnThreadRanksTest.train(job("{\"p\": 0.1}", ""), 3, dir.resolve("all"), null);
        assertSameParams(all, unsampled, "C = n is full participation");
    }

    @Test
    void theSectionIsReadStrictly() {
        for (String[] bad : new String[][] {
                {"{\"p\": 1.5}", "", "'byz_vr_marina.p' must be in [0, 1]"},
                {"{\"alpha_clip\": 0}", "", "alpha_clip' must be a positive number"},
                {"{\"clip\": 1}", "", "unknown field 'byz_vr_marina.clip'"},
                {"{}", ", \"comm\": {\"compressor\": \"topk\"}", "unbiased Q"},
                {"{}", ", \"aggregation\": {\"sampled\": 0}", "'aggregation.sampled' must be at least 1"},
                {"{}", ", \"federated\": {\"clients\": 4}", "'federated' cannot be combined"}}) {
            JobException e = assertThrows(JobException.class, () -> job(bad[0], bad[1]), bad[0] + bad[1]);
            assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
        }
        JobException e = assertThrows(JobException.class,
                () -> RobustMean.check(job("{}", ", \"aggregation\": {\"rule\": \"trimmed_mean\", \"f\": 1, \"sampled\": 2}"), 4));
        assertTrue(e.getMessage().contains("with 2 sampled ranks a step the rule sees 2 rows"), e.getMessage());
        assertFalse(assertThrows(JobException.class, () -> RobustMean.check(job("{}", ", \"aggregation\": {\"sampled\": 5}"), 4))
                .getMessage().isEmpty());
    }
}
