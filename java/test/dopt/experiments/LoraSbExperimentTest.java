package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraSbExperimentTest {

    @Test
    void quickModeWritesTheTablesPlotsAndCachedWeightsWithFiniteLosses(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("lora-sb"), new long[] {1}, dir, true, "./dopt experiment run lora-sb --quick");
        String text = Files.readString(md);
        assertTrue(text.contains("## Did the claim hold?"), text);
        for (String f : List.of("test-loss.png", "train-loss.png", "loss-vs-params.png"))
            assertTrue(Files.size(dir.resolve(f)) > 1000, f);
        try (var s = Files.list(dir)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("pretrained-")).count(), "the pre-trained weights are cached");
        }
        List<String> rows = Files.readAllLines(dir.resolve("results.csv"));
        assertEquals(7, rows.size(), "header + 6 methods");
        for (String row : rows.subList(1, rows.size())) {
            String[] c = row.split(",");
            assertTrue(Long.parseLong(c[1]) > 0 && Long.parseLong(c[2]) > 0, row);
            double before = Double.parseDouble(c[4]), after = Double.parseDouble(c[5]);
            assertTrue(Double.isFinite(before) && Double.isFinite(after) && after > 0, row);
        }
        // LoRA-XS and LoRA-SB at the same rank train the same r² per matrix; LoRA trains more
        long lora = Long.parseLong(rows.get(2).split(",")[1]), xs = Long.parseLong(rows.get(3).split(",")[1]), sb = Long.parseLong(rows.get(4).split(",")[1]);
        assertEquals(xs, sb);
        assertTrue(lora > sb, rows.toString());
    }
}
