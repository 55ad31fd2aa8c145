package dopt.train;

import static dopt.tensor.BitExact.assertSameParams;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.LocalCommunicator;
import dopt.job.Job;
import dopt.job.JobFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformer LM on the State of the Union corpus (./dopt test installs it) in the training loop. */
class LanguageModelTrainingTest {
    @TempDir Path dir;

    private static Job job(String optimizer) throws Exception {
        return JobFile.parse("""
            {"name": "lm", "model": {"type": "transformer", "preset": "tiny"},
             "data": {"dataset": "sotu", "batch_size": 4, "seq_len": 32}, "optimizer": %s,
             "steps": 40, "seed": 4, "eval_every": 0, "checkpoint": {"every": 20, "keep": 5}}""".formatted(optimizer), "lm");
    }

    private Trainer trainer(Job j, String out) throws Exception {
        return new Trainer(j, new LocalCommunicator(), dir.resolve(out), Path.of(System.getProperty("dopt.repo", ".")),
                new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void adamAndFrugalLowerTheValidationLossAndResumeBitForBit() throws Exception {
        for (String opt : List.of("{\"name\": \"adam\", \"lr\": 0.003}",
                "{\"name\": \"frugal\", \"lr\": 0.003, \"rho\": 0.25, \"projector\": \"blocks\", \"update_gap\": 10}")) {
            Job j = job(opt);
            String name = j.optimizer.name.name().toLowerCase();
            Trainer full = trainer(j, name + "-full");
            dopt.io.RunSummary o = full.run();
            // uniform over 256 bytes is ln 256 = 5.55 nats; 40 small steps already learn the byte statistics
            assertTrue(o.testLoss() < 4.5, name + " validation loss " + o.testLoss());
            assertTrue(Double.isNaN(o.testAccuracy()), "no accuracy for a language model");
            Trainer resumed = trainer(j, name + "-resumed");
            resumed.resume(dir.resolve(name + "-full/checkpoints/ckpt-000020.h5"));
            resumed.run();
            assertSameParams(full.params(), resumed.params(), name);
        }
    }
}
