package dopt.cli;

import static dopt.tensor.BitExact.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.comm.Daemon;
import dopt.io.Checkpoint;
import dopt.state.StateTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning through {@code dopt run} on real MPJ Express ranks: a tiny LM pre-trained on two
 * multicore ranks, then LoRA-SB adapters trained from its checkpoint on two niodev rank processes,
 * which start in another working directory than the launcher: the relative {@code model.init_from}
 * must still reach them, and LoRA-SB's initial adapters (from gradients summed over ranks) must
 * agree on both.
 */
class FineTuningIT {
    @TempDir Path dir;

    private static final String LM = "\"type\": \"transformer\", \"preset\": \"tiny\"";
    private static final String DATA = "\"dataset\": \"sotu\", \"split\": \"%s\", \"batch_size\": 4, \"seq_len\": 32";

    @Test
    void loraSbFineTuneOnNiodevRanksStartsFromARelativeCheckpointAndKeepsTheBaseWeights() throws Exception {
        Path pre = Jobs.write(dir, "pre", """
            {"name": "pre", "model": {%s}, "data": {%s},
             "optimizer": {"name": "adamw", "lr": 0.003}, "steps": 20, "seed": 3, "eval_every": 0,
             "checkpoint": {"every": 20, "keep": 1}}
            """.formatted(LM, DATA.formatted("time")));
        DoptProcess.Result r = DoptProcess.dopt(dir, 300, "run", pre.toString(), "--np", "2", "--output", "pre");
        assertEquals(0, r.exitCode(), r.output());

        Path tune = Jobs.write(dir, "tune", """
            {"name": "tune",
             "model": {%s, "init_from": "pre/checkpoints/ckpt-000020.h5",
                       "adapter": {"type": "lora-sb", "rank": 4, "samples": 8, "targets": ["wq", "wv", "w2"]}},
             "data": {%s},
             "optimizer": {"name": "adamw", "lr": 0.01, "schedule": "warmup_cosine", "warmup_steps": 5}, "steps": 10, "seed": 4,
             "eval_every": 0, "checkpoint": {"every": 10, "keep": 1}, "verify_replicas": true}
            """.formatted(LM, DATA.formatted("recent")));
        r = DoptProcess.dopt(dir, 300, "run", tune.toString(), "--np", "2", "--dev", "niodev", "--output", "tune");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(Files.exists(dir.resolve("tune/_SUCCESS")), r.output());

        JsonNode summary = new ObjectMapper().readTree(dir.resolve("tune/summary.json").toFile());
        assertEquals("every step", summary.get("replicas_checked").asText(), summary.toString());
        long trainable = summary.get("trainable_params").asLong(), total = summary.get("total_params").asLong();
        // LoRA-SB trains one r x r matrix per adapted weight: 3 targets in each block
        StateTree base = Checkpoint.read(dir.resolve("pre/checkpoints/ckpt-000020.h5")).tree();
        long blocks = base.leaves().keySet().stream().filter(k -> k.startsWith("params/") && k.endsWith(".wq.weight")).count();
        assertTrue(blocks > 0, "the pre-trained model has attention blocks: " + base.leaves().keySet());
        assertEquals(blocks * 3 * 4 * 4, trainable, summary.toString());
        assertTrue(total > 100 * trainable, summary.toString());

        // the base weights travel into the fine-tune's checkpoint unchanged, bit for bit
        StateTree tuned = Checkpoint.read(dir.resolve("tune/checkpoints/ckpt-000010.h5")).tree();
        int compared = 0;
        for (Map.Entry<String, StateTree.Leaf> e : base.leaves().entrySet()) {
            if (!e.getKey().startsWith("params/")) continue;
            String frozen = "frozen/" + e.getKey().substring("params/".length());
            assertTrue(tuned.contains(frozen), frozen + " in " + tuned.leaves().keySet());
            assertSameBits(((StateTree.FloatLeaf) e.getValue()).data(), tuned.floats(frozen), frozen);
            compared++;
        }
        assertTrue(compared > 5, "weights compared: " + compared);
    }

    @AfterAll
    static void stopDaemon() throws Exception { Daemon.stop(); }
}
