package dopt.train;

import static dopt.tensor.BitExact.assertSameParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.InProcessCommunicator;
import dopt.io.RunSummary;
import dopt.io.Trace;
import dopt.io.TraceData;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.tensor.Param;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Federated rounds ({@link Federated}) on thread ranks through the real round loop. */
class FederatedTest {
    @TempDir Path dir;

    private static final Path REPO = Path.of("").toAbsolutePath();

    private static List<Param> train(Job job, int ranks, Path out, Path resume) throws Exception {
        return TrainerOnThreadRanksTest.train(job, ranks, out, resume);
    }

    /** The parameters a run of {@code job} starts from (copies). */
    private static List<float[]> initial(Job job) throws Exception {
        return InProcessCommunicator.run(1, 60_000, comm -> {
            Trainer t = new Trainer(job, comm, Path.of("unused"), REPO, new PrintStream(new ByteArrayOutputStream()), null);
            return t.params().stream().map(p -> p.value().clone()).toList();
        }).get(0);
    }

    @Test
    void oneLocalSgdStepOfEveryClientWithServerLrOneIsOneStepOfTheDenseMeanOverAsManyRanks() throws Exception {
        // 8 clients on 2 ranks against 8 data-parallel ranks: the iid shards and the loaders (seeded by client id resp.
        // rank) are the same, so client i's batch is rank i's batch, and all shards hold 750 samples (equal weights).
        // FedAvg: x + (1/8) sum (fl(x - lr g_i) - x); dense: x - lr fl((1/8) sum g_i). In exact arithmetic equal; in
        // floats the client step rounds to x's grid and the delta sum runs in another order: a few ulps of |x| (< 1e-6).
        String common = """
            "model": {"hidden": [16]}, "data": {"batch_size": 8}, "optimizer": {"name": "sgd", "lr": 0.5, "momentum": 0},
            "steps": 1, "seed": 3, "eval_every": 0""";
        Job fed = JobFile.parse("{\"name\": \"fed\", " + common + ", \"federated\": {\"clients\": 8}}", "fed");
        Job dense = JobFile.parse("{\"name\": \"dense\", " + common + "}", "dense");
        List<Param> f = train(fed, 2, dir.resolve("fed"), null);
        List<Param> d = train(dense, 8, dir.resolve("dense"), null);
        List<float[]> x0 = initial(dense);
        double maxDiff = 0, maxMove = 0;
        for (int i = 0; i < f.size(); i++)
            for (int k = 0; k < f.get(i).size(); k++) {
                maxDiff = Math.max(maxDiff, Math.abs(f.get(i).value()[k] - d.get(i).value()[k]));
                maxMove = Math.max(maxMove, Math.abs(d.get(i).value()[k] - x0.get(i)[k]));
            }
        assertTrue(maxMove > 1e-3, "the step moved the model: " + maxMove);
        assertTrue(maxDiff < 1e-6, "FedAvg (H = 1, all clients, server lr 1) = one dense step, max difference " + maxDiff);
    }

    @Test
    void fedAdamsFirstRoundIsTheFedOptFormulaAppliedToTheRoundsMeanDelta() throws Exception {
        // the same round under server SGD lr 1 gives x0 + Δ, so Δ is read off it; FedAdam from zero moments must then
        // give x0 + η(1 − β₁)Δ / (√(1 − β₂)|Δ| + τ) (Reddi et al. 2021, Alg. 2). Δ is read with x0's rounding (an ulp of
        // |x| ≈ 6e-8) and the update's slope in Δ is at most η(1 − β₁)/τ = 1, so 1e-6 bounds the difference.
        String common = """
            "model": {"hidden": [16]}, "data": {"batch_size": 8}, "optimizer": {"name": "sgd", "lr": 0.2, "momentum": 0},
            "steps": 1, "seed": 9, "eval_every": 0""";
        String clients = "\"clients\": 6, \"clients_per_round\": 3, \"local_steps\": 2";
        Job sgd = JobFile.parse("{\"name\": \"s\", " + common + ", \"federated\": {" + clients + "}}", "s");
        Job adam = JobFile.parse("{\"name\": \"a\", " + common + ", \"federated\": {" + clients
                + ", \"server_optimizer\": \"adam\", \"server_lr\": 0.01, \"beta1\": 0.9, \"beta2\": 0.99, \"tau\": 0.001}}", "a");
        List<float[]> x0 = initial(sgd);
        List<Param> plus = train(sgd, 3, dir.resolve("sgd"), null), fedAdam = train(adam, 3, dir.resolve("adam"), null);
        double maxDiff = 0;
        for (int i = 0; i < x0.size(); i++)
            for (int k = 0; k < x0.get(i).length; k++) {
                double x = x0.get(i)[k], delta = plus.get(i).value()[k] - x;
                double expected = x + 0.01 * 0.1 * delta / (Math.sqrt(0.01) * Math.abs(delta) + 0.001);
                maxDiff = Math.max(maxDiff, Math.abs(fedAdam.get(i).value()[k] - expected));
            }
        assertTrue(maxDiff < 1e-6, "FedAdam's first round by hand, max difference " + maxDiff);
    }

    @Test
    void oneClientARoundLeavesTheOtherRanksIdleAndTheirReplicasAgree() throws Exception {
        // s = 1 on 4 ranks: three ranks add nothing; the weights' sum is the one client's size, not zero
        Job j = job("{\"clients\": 8, \"clients_per_round\": 1, \"local_steps\": 2}", "");
        train(j, 4, dir.resolve("one"), null);
        RunSummary s = RunSummary.read(dir.resolve("one/summary.json"));
        assertTrue(Double.isFinite(s.finalTrainLoss()) && s.testAccuracy() > 0.2, "one client a round trains: " + s.testAccuracy());
    }

    private static Job job(String federated, String extra) throws Exception {
        return JobFile.parse("""
            {"name": "fed", "model": {"hidden": [32]}, "data": {"batch_size": 16 %s},
             "optimizer": {"name": "adam", "lr": 0.003}, "steps": 12, "seed": 5, "eval_every": 0,
             "checkpoint": {"every": 6, "keep": 5}, "verify_replicas": true, "federated": %s}""".formatted(extra, federated), "fed");
    }

    @Test
    void aHundredClientsOnFourThreadRanksLearn() throws Exception {
        Job j = JobFile.parse("""
            {"name": "fed100", "model": {"hidden": [32]}, "data": {"batch_size": 16},
             "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0}, "steps": 30, "seed": 5, "eval_every": 0,
             "verify_replicas": true, "federated": {"clients": 100, "clients_per_round": 20, "local_steps": 3}}""", "fed100");
        train(j, 4, dir.resolve("fed100"), null);
        RunSummary s = RunSummary.read(dir.resolve("fed100/summary.json"));
        assertTrue(s.testAccuracy() > 0.5, "100 clients, 20 a round, learn on 4 ranks (chance 0.1): " + s.testAccuracy());
        assertTrue(s.bytesSentTotal() > 0, "the rounds' allreduce bytes are counted");
        // per round and rank: the mean loss of the local steps of the clients it ran (NaN on a rank that ran none),
        // the loss agreed over all sampled clients, and the bytes the round's allreduce moved
        TraceData trace = Trace.read(dir.resolve("fed100/trace.h5"));
        float[][] local = trace.floats("loss"), agreed = trace.floats("global_loss");
        long[][] sent = trace.counts("bytes_sent");
        int finite = 0;
        for (int round = 0; round < 30; round++)
            for (int r = 0; r < 4; r++) {
                if (Float.isFinite(local[round][r])) finite++;
                assertTrue(Float.isFinite(agreed[round][r]) && sent[round][r] > 0, "round " + (round + 1) + ", rank " + r);
            }
        assertTrue(finite > 100, "20 of 100 clients a round: a rank almost always ran one (" + finite + " of 120 finite)");
    }

    @Test
    void aRunResumedAtARoundEndsWithTheUninterruptedRunsParametersBitForBit() throws Exception {
        // Dirichlet label skew, partial participation, H = 3 local Adam steps with each client's own moments, FedAdam on
        // the server: every piece of state (client loaders, client moments, server moments) must come back from the file
        Job j = job("{\"clients\": 16, \"clients_per_round\": 6, \"local_steps\": 3, \"server_optimizer\": \"adam\", \"server_lr\": 0.01}",
                ", \"sharding\": \"dirichlet\", \"alpha\": 1.0");
        List<Param> full = train(j, 4, dir.resolve("full"), null);
        List<Param> resumed = train(j, 4, dir.resolve("resumed"), dir.resolve("full/checkpoints/ckpt-000006.h5"));
        assertSameParams(full, resumed, "federated resume at round 6");
    }

    @Test
    void theClientsHostedByARankDoNotDependOnTheNumberOfRanks() throws Exception {
        // a client's data, loader and optimizer are its own: 16 clients on 2 or on 4 ranks give the same rounds up to
        // the order of the delta sum (each rank sums its own clients before the allreduce), so within float rounding
        Job j = job("{\"clients\": 16, \"clients_per_round\": 8, \"local_steps\": 2}", "");
        List<Param> two = train(j, 2, dir.resolve("two"), null);
        List<Param> four = train(j, 4, dir.resolve("four"), null);
        double maxDiff = 0;
        for (int i = 0; i < two.size(); i++)
            for (int k = 0; k < two.get(i).size(); k++)
                maxDiff = Math.max(maxDiff, Math.abs(two.get(i).value()[k] - four.get(i).value()[k]));
        assertTrue(maxDiff < 1e-4, "2 and 4 ranks host the same clients: max difference " + maxDiff);
    }

    @Test
    void tooFewClientsForTheRanksOrAClientThatCannotFillABatchIsRefusedBeforeRanksStart() throws Exception {
        Job three = job("{\"clients\": 3}", "");
        String e = assertThrows(JobException.class, () -> JobPlan.check(three, REPO, 4)).getMessage();
        assertTrue(e.contains("'federated.clients' (3) must be at least the number of ranks (4)"), e);
        // 6000 samples over 400 clients: 15 each, one short of a batch of 16
        Job tiny = job("{\"clients\": 400}", "");
        e = assertThrows(JobException.class, () -> JobPlan.check(tiny, REPO, 4)).getMessage();
        assertTrue(e.contains("'federated.clients' 400 is too many") && e.contains("fewer than data.batch_size 16"), e);
    }

    @Test
    void aSampleIsAFunctionOfSeedAndRoundSoAResumedRunDrawsTheSameClients() {
        ClientSampling a = new ClientSampling(7, 100, 10), b = new ClientSampling(7, 100, 10);
        int[] round9 = b.sample(9).clone();
        for (long r = 1; r <= 8; r++) a.sample(r); // the uninterrupted run drew rounds 1..8 first
        assertEquals(List.of(box(round9)), List.of(box(a.sample(9))));
        assertNotEquals(List.of(box(round9)), List.of(box(a.sample(10))), "another round, other clients");
        assertNotEquals(List.of(box(round9)), List.of(box(new ClientSampling(8, 100, 10).sample(9))), "another seed, other clients");
        int[] all = new ClientSampling(7, 5, 5).sample(3);
        assertEquals(List.of(0, 1, 2, 3, 4), List.of(box(all)), "s = n: every client");
    }

    @Test
    void eachClientIsSampledAboutSOverNOfTheRoundsDistinctAndAscending() {
        int n = 20, s = 5, rounds = 4000;
        ClientSampling sampling = new ClientSampling(1, n, s);
        int[] count = new int[n];
        for (long r = 1; r <= rounds; r++) {
            int[] c = sampling.sample(r);
            for (int i = 0; i < s; i++) {
                if (i > 0) assertTrue(c[i] > c[i - 1], "distinct and ascending");
                count[c[i]]++;
            }
        }
        // expected 1000 each, standard deviation sqrt(4000 * 0.25 * 0.75) = 27: 6 sigma either side
        for (int c = 0; c < n; c++) assertTrue(Math.abs(count[c] - 1000) < 165, "client " + c + " sampled " + count[c] + " times");
    }

    @Test
    void theSummaryReportsTheHostedClientsAndTheServersOptimizerStateNotAnUnusedTopLevelOptimizers() throws Exception {
        // 16 clients on 4 ranks: each rank hosts 4 clients with Adam and a copy of FedAdam's m and v (4 bytes each per
        // parameter); one client's Adam is what a data-parallel run of the same model and optimizer reports per rank
        Job j = job("{\"clients\": 16, \"clients_per_round\": 4, \"server_optimizer\": \"adam\", \"server_lr\": 0.01}", "");
        Job dense = JobFile.parse("""
            {"name": "dense", "model": {"hidden": [32]}, "data": {"batch_size": 16},
             "optimizer": {"name": "adam", "lr": 0.003}, "steps": 2, "seed": 5, "eval_every": 0}""", "dense");
        train(j, 4, dir.resolve("fed"), null);
        train(dense, 4, dir.resolve("dense"), null);
        long oneAdam = RunSummary.read(dir.resolve("dense/summary.json")).optimizerStateBytesPerRank();
        long n = 784 * 32 + 32 + 32 * 10 + 10;
        assertEquals(4 * oneAdam + 2 * 4 * n, RunSummary.read(dir.resolve("fed/summary.json")).optimizerStateBytesPerRank());
    }

    private static Integer[] box(int[] a) {
        Integer[] b = new Integer[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }
}
