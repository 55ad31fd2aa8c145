package dopt.train;

import static dopt.tensor.BitExact.assertSameBits;
import static dopt.tensor.BitExact.assertSameParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.comm.LocalCommunicator;
import dopt.io.Checkpoint;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning jobs (model.init_from, model.adapter) in the data-parallel loop, on the tiny
 * transformer pre-trained here on State of the Union 1790–1998 and fine-tuned on 1999–2021
 * (data.split recent).
 */
class FineTuningTest {
    @TempDir static Path shared;
    @TempDir Path dir;
    static Path pretrained;

    /** Tiny preset: dim 64, SwiGLU width 192 (LLaMA's 8/3·dim rounded up to 32), 2 blocks; wq wk wv wo 64×64, w1 w3 192×64, w2 64×192. */
    private static final int DIM = 64, HIDDEN = 192, LAYERS = 2;

    private static Path repo() { return Path.of(System.getProperty("dopt.repo", ".")); }

    private static Trainer trainer(Job j, Path out, Path resume) throws Exception {
        return new Trainer(j, new LocalCommunicator(), out, repo(), new PrintStream(new ByteArrayOutputStream()), resume);
    }

    @BeforeAll
    static void pretrain() throws Exception {
        Job j = JobFile.parse("""
            {"name": "pre", "model": {"type": "transformer", "preset": "tiny"},
             "data": {"dataset": "sotu", "batch_size": 8, "seq_len": 32}, "optimizer": {"name": "adamw", "lr": 0.003},
             "steps": 80, "seed": 3, "eval_every": 0, "checkpoint": {"every": 0, "keep": 1}}""", "pre");
        trainer(j, shared.resolve("pre"), null).run();
        pretrained = shared.resolve("pre/checkpoints/ckpt-000080.h5");
    }

    private static Job fineTune(String adapter, Path initFrom, int steps, double lr) throws Exception {
        return JobFile.parse("""
            {"name": "ft", "model": {"type": "transformer", "preset": "tiny", "init_from": "%s"%s},
             "data": {"dataset": "sotu", "split": "recent", "batch_size": 8, "seq_len": 32},
             "optimizer": {"name": "adamw", "lr": %s%s}, "steps": %d, "seed": 5, "eval_every": 0,
             "checkpoint": {"every": 10, "keep": 10}}""".formatted(initFrom, adapter == null ? "" : ", \"adapter\": " + adapter, lr,
                // LoRA-SB's initial update is the first warm-up step (the job parser refuses it without one)
                adapter != null && adapter.contains("lora-sb") ? ", \"schedule\": \"warmup_cosine\", \"warmup_steps\": 4" : "", steps), "ft");
    }

    private static StateTree tree(Path ckpt) throws Exception { return Checkpoint.read(ckpt).tree(); }

    @Test
    void loraSbFineTuneLowersTheLossTrainsOnlyTheAdaptersAndKeepsTheWeightsBitForBit() throws Exception {
        Job j = fineTune("{\"type\": \"lora-sb\", \"rank\": 4, \"samples\": 32}", pretrained, 40, 0.01);
        Trainer t = trainer(j, dir.resolve("sb"), null);
        t.run();
        StateTree pre = tree(pretrained), at10 = tree(dir.resolve("sb/checkpoints/ckpt-000010.h5")),
                end = tree(dir.resolve("sb/checkpoints/ckpt-000040.h5"));

        // the loss on the new addresses falls: first vs last 10 steps of the trace (mean over ranks, here one)
        float[] loss = end.floats("trace/global_loss");
        double first = 0, last = 0;
        for (int i = 0; i < 10; i++) {
            first += loss[i] / 10;
            last += loss[loss.length - 1 - i] / 10;
        }
        assertTrue(last < first - 0.05, "fine-tuning loss falls: first 10 steps " + first + ", last 10 " + last);

        // every pre-trained weight, in memory and in the checkpoint's frozen/ part, is the pre-training checkpoint's, bit for bit
        int weights = 0;
        for (Map.Entry<String, StateTree.Leaf> e : pre.leaves().entrySet()) {
            if (!e.getKey().startsWith("params/")) continue;
            String name = e.getKey().substring("params/".length());
            assertSameBits(pre.floats(e.getKey()), end.floats("frozen/" + name), "frozen/" + name);
            weights++;
        }
        for (Param w : t.weights()) assertSameBits(pre.floats("params/" + w.name()), w.value(), "live " + w.name());
        assertEquals(weights, t.weights().size());

        // the trained tensors are the 14 LoRA-SB latent matrices (r×r) only, and each of them moved
        List<String> trained = end.leaves().keySet().stream().filter(k -> k.startsWith("params/")).toList();
        assertEquals(LAYERS * 7, trained.size(), "trained tensors: " + trained);
        for (String k : trained) {
            assertTrue(k.endsWith(".lora_R.weight"), k);
            assertEquals(List.of(4, 4), Arrays.stream(end.shape(k)).boxed().toList(), k);
            assertFalse(Arrays.equals(at10.floats(k), end.floats(k)), k + " changed between steps 10 and 40");
        }
        // LoRA-SB's fixed B (U_r) and A (V_rᵀ) are in the checkpoint and never change
        List<String> fixed = end.leaves().keySet().stream().filter(k -> k.startsWith("adapter/")).toList();
        assertEquals(LAYERS * 7 * 2, fixed.size(), "fixed adapter matrices: " + fixed);
        for (String k : fixed) assertSameBits(at10.floats(k), end.floats(k), k);
    }

    @Test
    void resumingALoraSbFineTuneIsBitExactAndNeedsOnlyTheCheckpoint() throws Exception {
        // init_from is a copy that is deleted before the resume: the checkpoint must carry W₀ and B, A itself
        Path copy = dir.resolve("copy-of-pretrained.h5");
        Files.copy(pretrained, copy);
        Job j = fineTune("{\"type\": \"lora-sb\", \"rank\": 4, \"samples\": 32}", copy, 20, 0.01);
        Trainer full = trainer(j, dir.resolve("full"), null);
        full.run();
        Files.delete(copy);
        assertThrows(JobException.class, () -> trainer(j, dir.resolve("fresh"), null), "without the file a fresh start fails");
        Trainer resumed = trainer(j, dir.resolve("resumed"), dir.resolve("full/checkpoints/ckpt-000010.h5"));
        assertEquals(10, resumed.step());
        resumed.run();
        assertSameParams(full.params(), resumed.params(), "LoRA-SB resumed at step 10");
        StateTree a = tree(dir.resolve("full/checkpoints/ckpt-000020.h5")), b = tree(dir.resolve("resumed/checkpoints/ckpt-000020.h5"));
        for (String k : a.leaves().keySet())
            if (a.get(k) instanceof StateTree.FloatLeaf && !k.startsWith("trace/")) assertSameBits(a.floats(k), b.floats(k), k);
    }

    /** The trainable and total counts of summary.json against the adapters' formulas. */
    @Test
    void theSummaryCountsExactlyTheAdaptersParameters() throws Exception {
        long base = 0;
        for (Map.Entry<String, StateTree.Leaf> e : tree(pretrained).leaves().entrySet())
            if (e.getKey().startsWith("params/")) base += ((StateTree.FloatLeaf) e.getValue()).data().length;
        int r = 4;
        long attn = (long) DIM * DIM, mlp = (long) DIM * HIDDEN;
        // LoRA: r(m+n) per m×n weight, all trained
        long lora = LAYERS * (4L * r * (DIM + DIM) + 3L * r * (DIM + HIDDEN));
        // LoRA-XS / LoRA-SB: r² trained, B (m×r) and A (r×n) fixed
        long latent = LAYERS * 7L * r * r, latentFixed = LAYERS * (4L * r * (DIM + DIM) + 3L * r * (DIM + HIDDEN));
        long xsOnWqWv = LAYERS * 2L * r * r, xsOnWqWvFixed = LAYERS * 2L * r * (DIM + DIM);
        assertEquals(base, LAYERS * (4 * attn + 3 * mlp + 2L * DIM) + DIM + 256L * DIM, "tiny preset's weights (tied head)");
        Object[][] cases = {
                {"{\"type\": \"lora\", \"rank\": 4}", lora, base + lora},
                {"{\"type\": \"lora-xs\", \"rank\": 4}", latent, base + latent + latentFixed},
                {"{\"type\": \"lora-sb\", \"rank\": 4, \"samples\": 8}", latent, base + latent + latentFixed},
                {"{\"type\": \"lora-xs\", \"rank\": 4, \"targets\": [\"wq\", \"wv\"]}", xsOnWqWv, base + xsOnWqWv + xsOnWqWvFixed},
                {null, base, base}};
        for (Object[] c : cases) {
            Job j = fineTune((String) c[0], pretrained, 2, 0.01);
            String name = c[0] == null ? "full" : j.model.adapter.type.id() + (j.model.adapter.targets != null ? "-wqwv" : "");
            Path out = dir.resolve(name);
            trainer(j, out, null).run();
            JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
            assertEquals((long) c[1], s.get("trainable_params").asLong(), name + " trainable");
            assertEquals((long) c[2], s.get("total_params").asLong(), name + " total");
        }
    }

    @Test
    void aMissingOrMismatchedInitFromIsRefusedNamingTheTensor() throws Exception {
        String m = assertThrows(JobException.class, () -> JobPlan.check(fineTune(null, dir.resolve("nope.h5"), 2, 0.01), repo(), 1)).getMessage();
        assertTrue(m.contains("model.init_from") && m.contains("nope.h5") && m.contains("does not exist"), m);

        // the same architecture at another width: the first tensor in model order differs in shape
        Job wider = fineTune(null, pretrained, 2, 0.01);
        wider.model.preset = Job.Preset.M1;
        m = assertThrows(JobException.class, () -> JobPlan.check(wider, repo(), 1)).getMessage();
        assertTrue(m.contains("'params/tok_embeddings.weight' is [256, 64]") && m.contains("[256, 128]"), m);

        // another model altogether
        StateTree mlp = new StateTree();
        mlp.putFloats("params/fc1.weight", new float[6], 2, 3);
        Path other = dir.resolve("mlp.h5");
        Checkpoint.write(mlp, other, Map.of());
        m = assertThrows(JobException.class, () -> trainer(fineTune(null, other, 2, 0.01), dir.resolve("x"), null)).getMessage();
        assertTrue(m.contains("has no tensor 'params/tok_embeddings.weight'") && m.contains("params/fc1.weight[2, 3]"), m);

        // a fine-tuning checkpoint (adapter matrices) is not a starting point
        Job sb = fineTune("{\"type\": \"lora-sb\", \"rank\": 2, \"samples\": 8}", pretrained, 1, 0.01);
        trainer(sb, dir.resolve("sb1"), null).run();
        m = assertThrows(JobException.class, () -> JobPlan.check(fineTune(null, dir.resolve("sb1/checkpoints/ckpt-000001.h5"), 2, 0.01), repo(), 1))
                .getMessage();
        assertTrue(m.contains("fine-tuning checkpoint") && m.contains(".lora_R.weight"), m);

        // a rank above the smaller side of a target weight
        m = assertThrows(JobException.class, () -> JobPlan.check(fineTune("{\"type\": \"lora\", \"rank\": 65}", pretrained, 2, 0.01), repo(), 1))
                .getMessage();
        assertTrue(m.contains("'model.adapter.rank' 65 exceeds 64") && m.contains("allowed: 1..64"), m);
    }

    @Test
    void anMlpFineTunesItsHiddenLayersThroughLoraWithTheHeadFrozen() throws Exception {
        Job pre = JobFile.parse("""
            {"name": "mlp", "model": {"hidden": [32]}, "data": {"batch_size": 16}, "optimizer": {"name": "adam", "lr": 0.002},
             "steps": 30, "seed": 9, "eval_every": 0, "checkpoint": {"every": 0, "keep": 1}}""", "mlp");
        trainer(pre, dir.resolve("mlp"), null).run();
        Path ckpt = dir.resolve("mlp/checkpoints/ckpt-000030.h5");
        Job ft = JobFile.parse("""
            {"name": "mlp-ft", "model": {"hidden": [32], "init_from": "%s", "adapter": {"type": "lora", "rank": 4}},
             "data": {"batch_size": 16}, "optimizer": {"name": "adam", "lr": 0.01}, "steps": 30, "seed": 10, "eval_every": 0,
             "checkpoint": {"every": 0, "keep": 1}}""".formatted(ckpt), "mlp-ft");
        Trainer t = trainer(ft, dir.resolve("mlp-ft"), null);
        dopt.io.RunSummary o = t.run();
        // fc1 (32×784) adapted: r(m+n) = 4·(32+784); the head (10×32) and the biases frozen
        assertEquals(4L * (32 + 784), t.trainableParams());
        assertEquals(784L * 32 + 32 + 32 * 10 + 10 + 4L * (32 + 784), t.totalParams());
        assertTrue(o.testAccuracy() > 0.5, "the fine-tuned MLP still classifies: " + o.testAccuracy());
        StateTree before = tree(ckpt);
        for (Param w : t.weights()) assertSameBits(before.floats("params/" + w.name()), w.value(), w.name());
    }
}
