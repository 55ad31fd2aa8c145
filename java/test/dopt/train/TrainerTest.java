package dopt.train;

import static dopt.tensor.BitExact.assertSameParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.LocalCommunicator;
import dopt.job.Job;
import dopt.job.JobFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on one in-process rank: learning, resume and failure handling. */
class TrainerTest {
    @TempDir Path dir;

    private static Job job(String extra) throws Exception {
        return JobFile.parse("""
            {"name": "t", "model": {"hidden": [32]}, "data": {"batch_size": 16},
             "optimizer": {"name": "adam", "lr": 0.002}, "steps": 80, "seed": 9, "eval_every": 0,
             "checkpoint": {"every": 10, "keep": 10}%s}""".formatted(extra), "test");
    }

    private Trainer trainer(Job j, Path out) throws Exception {
        return new Trainer(j, new LocalCommunicator(), out, Path.of("").toAbsolutePath(), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void learnsTheDigitsAndWritesItsOutputs() throws Exception {
        Trainer t = trainer(job(""), dir.resolve("a"));
        dopt.io.RunSummary o = t.run();
        assertTrue(o.testAccuracy() > 0.75, "80 Adam steps on real digits beat 75% accuracy: " + o.testAccuracy());
        assertTrue(o.testLoss() < 1.0, "test loss fell well below ln 10 = 2.30: " + o.testLoss());
        assertEquals(2L * 4 * (784 * 32 + 32 + 32 * 10 + 10) + 8, o.optimizerStateBytesPerRank(), "Adam: two floats per parameter + counter");
        for (String f : List.of("trace.h5", "loss.png", "summary.json", "_SUCCESS", "checkpoints/ckpt-000080.h5"))
            assertTrue(Files.exists(dir.resolve("a").resolve(f)), f);
    }

    @Test
    void resumingFromAnyCheckpointGivesTheSameFinalParametersBitForBit() throws Exception {
        Trainer full = trainer(job(""), dir.resolve("full"));
        full.run();
        Trainer resumed = trainer(job(""), dir.resolve("resumed"));
        resumed.resume(dir.resolve("full/checkpoints/ckpt-000020.h5"));
        assertEquals(20, resumed.step());
        resumed.run();
        assertSameParams(full.params(), resumed.params(), "resumed");
    }

    @Test
    void memoryEfficientOptimizersTrainAndResumeBitForBit() throws Exception {
        for (String opt : List.of(
                "{\"name\": \"frugal\", \"lr\": 0.002, \"rho\": 0.5, \"projector\": \"blocks\", \"update_gap\": 15, \"order\": \"random\"}",
                "{\"name\": \"frugal\", \"lr\": 0.002, \"rho\": 0.25, \"projector\": \"random\", \"update_gap\": 15}",
                "{\"name\": \"galore\", \"lr\": 0.002, \"rank\": 8, \"update_gap\": 15, \"scale\": 1.0}",
                "{\"name\": \"badam\", \"lr\": 0.002, \"switch_every\": 15}")) {
            String name = opt.replaceAll(".*?\"name\": \"(\\w+)\".*?\"(blocks|random|rank|switch_every).*", "$1-$2");
            // two hidden layers: two weight matrices to split or switch between, and the head
            Job j = JobFile.parse(JobFile.toJson(job("")).replace("\"hidden\" : [ 32 ]", "\"hidden\" : [ 32, 32 ]").replaceFirst("\"optimizer\" : \\{[^}]*}",
                    "\"optimizer\": " + java.util.regex.Matcher.quoteReplacement(opt)), name);
            assertTrue(name.startsWith(j.optimizer.name.name().toLowerCase()), "the job uses " + name + ", not " + j.optimizer.name);
            Trainer full = trainer(j, dir.resolve(name + "-full"));
            dopt.io.RunSummary o = full.run();
            long fullAdam = 0;
            for (var p : full.params()) fullAdam += 8L * p.size();
            // BAdam keeps Adam slots sized for the largest matrix (fc1 here) and blocks at rho 0.5 half the matrix state, so they save least on this MLP
            assertTrue(full.params().size() == 6 && o.optimizerStateBytesPerRank() < (name.equals("frugal-blocks") || name.startsWith("badam") ? 1.0 : 0.5) * fullAdam,
                    name + " holds less than full Adam: " + o.optimizerStateBytesPerRank() + " of " + fullAdam);
            assertTrue(o.testAccuracy() > 0.4, name + " learns (chance is 0.1): " + o.testAccuracy());
            Trainer resumed = trainer(j, dir.resolve(name + "-resumed"));
            resumed.resume(dir.resolve(name + "-full/checkpoints/ckpt-000020.h5"));
            resumed.run();
            assertSameParams(full.params(), resumed.params(), name);
        }
    }

    @Test
    void naturalDitheringAndPowerSgdTrainAndResumeBitForBit() throws Exception {
        for (String comm : List.of("{\"compressor\": \"natural-dithering\", \"levels\": 8}",
                "{\"compressor\": \"powersgd\", \"rank\": 2, \"error_feedback\": \"ef14\"}")) {
            Job j = job(", \"comm\": " + comm);
            j.steps = 40;
            String name = j.comm.compressor.name().toLowerCase();
            Trainer full = trainer(j, dir.resolve(name + "-full"));
            dopt.io.RunSummary o = full.run();
            // 40 Adam steps: about 0.65 with either (a compressor that lost the signal stays near 0.1)
            assertTrue(o.testAccuracy() > 0.5, name + " learns the digits (chance is 0.1): " + o.testAccuracy());
            Trainer resumed = trainer(j, dir.resolve(name + "-resumed"));
            // the RNG of the dithering, PowerSGD's Q and its error all come back from the checkpoint
            resumed.resume(dir.resolve(name + "-full/checkpoints/ckpt-000020.h5"));
            resumed.run();
            assertSameParams(full.params(), resumed.params(), name);
        }
    }

    @Test
    void theCnnTrainsInTheDataParallelLoopAndResumesBitForBit() throws Exception {
        Job j = JobFile.parse("""
            {"name": "cnn", "model": {"type": "cnn"}, "data": {"batch_size": 16},
             "optimizer": {"name": "adam", "lr": 0.003}, "steps": 24, "seed": 2, "eval_every": 0,
             "checkpoint": {"every": 12, "keep": 5}}""", "cnn");
        Trainer full = trainer(j, dir.resolve("cnn-full"));
        dopt.io.RunSummary o = full.run();
        assertTrue(o.testAccuracy() > 0.1 && Double.isFinite(o.testLoss()), "trains: " + o.testAccuracy());
        Trainer resumed = trainer(j, dir.resolve("cnn-resumed"));
        resumed.resume(dir.resolve("cnn-full/checkpoints/ckpt-000012.h5"));
        resumed.run();
        assertSameParams(full.params(), resumed.params(), "cnn");
    }

    @Test
    void batchNormRunningStatisticsAreCheckpointedAndResumeBitForBit() throws Exception {
        Job j = JobFile.parse("""
            {"name": "cnn-bn", "model": {"type": "cnn", "norm": "batch"}, "data": {"dataset": "fashion-mnist", "batch_size": 8},
             "optimizer": {"name": "adam", "lr": 0.003}, "steps": 8, "seed": 3, "eval_every": 0,
             "checkpoint": {"every": 4, "keep": 5}}""", "cnn-bn");
        Trainer full = trainer(j, dir.resolve("bn-full"));
        dopt.io.RunSummary o = full.run();
        assertTrue(Double.isFinite(o.testLoss()), "evaluates with the running statistics: " + o.testLoss());
        var tree = dopt.io.Checkpoint.read(dir.resolve("bn-full/checkpoints/ckpt-000004.h5")).tree();
        float[] mean = tree.floats("ranks/0/buffers/bn1.running_mean");
        float[] var = tree.floats("ranks/0/buffers/bn1.running_var");
        assertTrue(mean[0] != 0f && var[0] != 1f, "four training steps moved the running statistics away from (0, 1)");
        Trainer resumed = trainer(j, dir.resolve("bn-resumed"));
        resumed.resume(dir.resolve("bn-full/checkpoints/ckpt-000004.h5"));
        dopt.io.RunSummary r = resumed.run();
        assertSameParams(full.params(), resumed.params(), "cnn-bn");
        // the test loss depends on the running statistics, so it matches only if they were restored too
        assertEquals(o.testLoss(), r.testLoss(), 0.0);
    }

    @Test
    void theTextClassifierLearnsSpamFromHamAndResumesBitForBit() throws Exception {
        Job j = JobFile.parse("""
            {"name": "spam", "model": {"type": "text-classifier"}, "data": {"dataset": "spam-assassin", "batch_size": 32, "seq_len": 256},
             "optimizer": {"name": "adam", "lr": 0.003}, "steps": 90, "seed": 5, "eval_every": 0,
             "checkpoint": {"every": 45, "keep": 5}}""", "spam");
        Trainer full = trainer(j, dir.resolve("spam-full"));
        dopt.io.RunSummary o = full.run();
        // 31 % of the mails are spam: always answering "ham" scores 69 %
        assertTrue(o.testAccuracy() > 0.8, "held-out accuracy after 90 steps " + o.testAccuracy());
        Trainer resumed = trainer(j, dir.resolve("spam-resumed"));
        resumed.resume(dir.resolve("spam-full/checkpoints/ckpt-000045.h5"));
        resumed.run();
        assertSameParams(full.params(), resumed.params(), "text classifier");
    }

    @Test
    void ef21sFirstStepFollowsTheUncompressedGradientAsItsAlgorithmBoxStarts() throws Exception {
        Job plain = job("");
        Job ef21 = job(", \"comm\": {\"compressor\": \"topk\", \"ratio\": 0.01, \"error_feedback\": \"ef21\"}");
        plain.steps = 1;
        ef21.steps = 1;
        Trainer a = trainer(plain, dir.resolve("plain"));
        a.run();
        Trainer b = trainer(ef21, dir.resolve("ef21"));
        b.run();
        // g⁰ = ∇f(x⁰) uncompressed: after one step both runs hold the same parameters, bit for bit
        assertSameParams(a.params(), b.params(), "ef21 step 1");
        var tree = dopt.io.Checkpoint.read(dir.resolve("ef21/checkpoints/ckpt-000001.h5")).tree();
        assertEquals(1L, tree.longs("ef/started")[0], "a resumed run must not start the estimates again");
    }

    @Test
    void aCnnOnNonImageDataIsRefused() throws Exception {
        Job j = JobFile.parse("{\"model\": {\"type\": \"cnn\"}, \"data\": {\"dataset\": \"spambase\"}}", "cnn");
        Exception e = assertThrows(Exception.class, () -> trainer(j, dir.resolve("x")));
        assertTrue(e.getMessage().contains("1x28x28"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherModelIsRefused() throws Exception {
        trainer(job(""), dir.resolve("small")).run();
        Job bigger = job("");
        bigger.model.hidden = List.of(64);
        Trainer t = trainer(bigger, dir.resolve("big"));
        Exception e = assertThrows(Exception.class, () -> t.resume(dir.resolve("small/checkpoints/ckpt-000080.h5")));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }

    @Test
    void aDivergingRunStopsAtTheFirstNonFiniteLossWithoutCheckpointingIt() throws Exception {
        Job j = job("");
        j.optimizer.name = Job.OptimizerName.SGD;
        j.optimizer.momentum = 0;
        j.optimizer.lr = 1e30;
        j.checkpoint.every = 1;
        Trainer t = trainer(j, dir.resolve("nan"));
        NonFiniteException e = assertThrows(NonFiniteException.class, t::run);
        int failed = Integer.parseInt(e.getMessage().replaceAll("(?s).* at step (\\d+) .*", "$1"));
        assertTrue(failed >= 2, e.getMessage());
        assertTrue(e.getMessage().contains(String.format("ckpt-%06d.h5", failed - 1)), "names the last good checkpoint: " + e.getMessage());
        assertTrue(!Files.exists(dir.resolve(String.format("nan/checkpoints/ckpt-%06d.h5", failed))));
        assertTrue(Files.exists(dir.resolve("nan/trace.h5")), "the trace up to the failure is kept");
    }

    @Test
    void aRunWhoseLossExplodesWithoutANaNStopsLikeANonFiniteOneAndNamesWhatToChange() throws Exception {
        // what a new user hit: KATE at lr 1e-3 with eps 1e-8 takes the demo MLP's loss from 2.3 to ~3e6 at
        // step 2 without a NaN; the run used to finish with _SUCCESS at chance accuracy
        Job j = job("");
        j.model.hidden = List.of(512, 512);
        j.optimizer.name = Job.OptimizerName.KATE;
        j.optimizer.lr = 1e-3;
        j.optimizer.eps = 1e-8;
        j.checkpoint.every = 1;
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> trainer(j, dir.resolve("kate")).run());
        assertTrue(e.getMessage().startsWith("diverging loss"), e.getMessage());
        int failed = Integer.parseInt(e.getMessage().replaceAll("(?s).* at step (\\d+) .*", "$1"));
        assertTrue(e.getMessage().contains(String.format("ckpt-%06d.h5", failed - 1)), "names the last good checkpoint: " + e.getMessage());
        assertTrue(e.getMessage().contains("optimizer.lr (now 0.00100000)") && e.getMessage().contains("optimizer.eps (now 1.00000e-08)"),
                "hints at the step size and the rule's epsilon: " + e.getMessage());
        assertTrue(!Files.exists(dir.resolve("kate/_SUCCESS")), "no success marker");
        assertTrue(!Files.exists(dir.resolve(String.format("kate/checkpoints/ckpt-%06d.h5", failed))), "the exploded state is not checkpointed");
    }

    @Test
    void aRunResumedFromItsFinalCheckpointFinishesItsOutputsWithTheRecordedLoss() throws Exception {
        // a crash after the last checkpoint and before _SUCCESS: resuming must not report a NaN loss or 0 steps/s
        Trainer full = trainer(job(""), dir.resolve("end"));
        dopt.io.RunSummary done = full.run();
        Files.delete(dir.resolve("end/_SUCCESS"));
        Trainer again = trainer(job(""), dir.resolve("end"));
        again.resume(dir.resolve("end/checkpoints/ckpt-000080.h5"));
        dopt.io.RunSummary s = again.run();
        assertEquals(done.finalTrainLoss(), s.finalTrainLoss(), 0.0, "the final loss comes from the restored trace");
        assertEquals(0, s.stepsRun());
        assertTrue(Double.isNaN(s.stepsPerSecond()), "no rate for no steps (null in summary.json)");
        assertEquals(done.testAccuracy(), s.testAccuracy(), 0.0);
        assertTrue(Files.exists(dir.resolve("end/_SUCCESS")));
        assertTrue(Files.readString(dir.resolve("end/summary.json")).contains("\"steps_per_second\" : null"));
    }

    @Test
    void anUpdateThatOverflowsTheParametersIsNeverCheckpointedSoTheLastGoodCheckpointResumes() throws Exception {
        // plain SGD at lr 1e300 (infinite as a float step): step 1's loss and gradient are finite, its update
        // is not; the checkpoint of step 1 used to hold Inf parameters while the error named it the last good one
        Job j = job("");
        j.optimizer.name = Job.OptimizerName.SGD;
        j.optimizer.momentum = 0;
        j.optimizer.lr = 1e300;
        j.checkpoint.every = 1;
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> trainer(j, dir.resolve("inf")).run());
        assertTrue(e.getMessage().startsWith("non-finite parameter"), e.getMessage());
        assertTrue(e.getMessage().contains("Last good checkpoint: none"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("inf/checkpoints/ckpt-000001.h5")), "no checkpoint of the overflowed state");
    }
}
