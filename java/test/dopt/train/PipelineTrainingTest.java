package dopt.train;

import static dopt.tensor.BitExact.assertSameParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.InProcessCommunicator;
import dopt.io.RunSummary;
import dopt.job.Job;
import dopt.job.JobFile;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pipeline policy in the round engine, on thread ranks: the stages of one MLP trained as the unsplit MLP is. */
class PipelineTrainingTest {
    @TempDir Path dir;

    private static final Path REPO = Path.of("").toAbsolutePath();

    private static Job job(String pipeline) throws Exception {
        return JobFile.parse("""
            {"name": "p", "model": {"hidden": [32, 24, 16]}, "data": {"batch_size": 16},
             "optimizer": {"name": "adam", "lr": 0.003}, "steps": 12, "seed": 5, "eval_every": 6,
             "checkpoint": {"every": 6, "keep": 5}%s}""".formatted(pipeline), "test");
    }

    /** Every rank's parameters after training, in rank order: a pipeline's stages concatenated are the whole model's list. */
    private static List<Param> train(Job job, int ranks, Path out, Path resume) throws Exception {
        List<List<Param>> perRank = InProcessCommunicator.run(ranks, 60_000, comm -> {
            Trainer t = new Trainer(job, comm, out, REPO, new PrintStream(new ByteArrayOutputStream()), resume);
            assertEquals(ranks, t.run().ranks());
            return t.params();
        });
        List<Param> all = new ArrayList<>();
        for (List<Param> p : perRank) all.addAll(p);
        return all;
    }

    /**
     * One micro-batch per step: every stage computes what the unsplit model computes, and Adam is
     * per coordinate, so 12 steps on 2 or 4 stages end with the 1-rank run's parameters bit for bit,
     * with its test accuracy (the loss differs in the last bits: the evaluation sums chunks of another size).
     */
    @Test
    void stagesTrainedThroughTheEngineEndWithTheUnsplitModelsParametersBitForBit() throws Exception {
        List<Param> unsplit = train(job(""), 1, dir.resolve("unsplit"), null);
        RunSummary base = RunSummary.read(dir.resolve("unsplit/summary.json"));
        for (int k : new int[] {2, 4})
            for (String schedule : List.of("gpipe", "1f1b")) {
                String name = k + schedule;
                List<Param> staged = train(job(", \"pipeline\": {\"stages\": " + k + ", \"schedule\": \"" + schedule + "\"}"), k,
                        dir.resolve(name), null);
                assertSameParams(unsplit, staged, name);
                RunSummary s = RunSummary.read(dir.resolve(name + "/summary.json"));
                assertEquals(base.testAccuracy(), s.testAccuracy(), 0.0, name);
                assertEquals(base.testLoss(), s.testLoss(), 1e-5, name);
            }
    }

    /**
     * Stage parameters, optimizer state and the wires' error memories are all in the checkpoint under
     * stages/&lt;i&gt;/: a 1F1B run with compressed wires resumed from its step-6 checkpoint ends bit for
     * bit where the uninterrupted run does.
     */
    @Test
    void aCompressedPipelineResumesBitForBit() throws Exception {
        Job j = job(", \"pipeline\": {\"stages\": 2, \"cuts\": [2], \"micro_batches\": 4, \"schedule\": \"1f1b\","
                + " \"compress_activations\": {\"ratio\": 0.2, \"error_feedback\": \"ef14\"},"
                + " \"compress_gradients\": {\"ratio\": 0.3, \"error_feedback\": \"ef14\"}}");
        List<Param> full = train(j, 2, dir.resolve("full"), null);
        List<Param> resumed = train(j, 2, dir.resolve("resumed"), dir.resolve("full/checkpoints/ckpt-000006.h5"));
        assertSameParams(full, resumed, "resumed");
        StateTree ckpt = dopt.io.Checkpoint.read(dir.resolve("full/checkpoints/ckpt-000006.h5")).tree();
        for (String leaf : List.of("stages/0/params/fc1.weight", "stages/1/params/fc4.bias", "stages/0/wire/activations/error",
                "stages/1/wire/gradients/error"))
            assertTrue(ckpt.contains(leaf), leaf + " in " + ckpt.leaves().keySet());
        boolean optimizer = false;
        for (String path : ckpt.leaves().keySet()) optimizer |= path.startsWith("stages/1/optim/");
        assertTrue(optimizer, "stage 1's optimizer state in " + ckpt.leaves().keySet());
    }
}
