package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalScalingExperimentTest {

    @Test
    void theQuickRunTrainsEveryMethodAndWritesItsTablesAndPlots(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("local-scaling"), new long[] {1}, dir, true, "test");
        String text = Files.readString(md);
        for (String m : List.of("Local SGD + Adam scaling", "Local SGD + RMSProp scaling", "Local SGD + OASIS scaling", "Synchronous Adam"))
            assertTrue(text.contains(m), m);
        assertTrue(Files.size(dir.resolve("accuracy-vs-rounds.png")) > 1000);
        List<String> rows = Files.readAllLines(dir.resolve("best.csv"));
        assertEquals(6, rows.size(), "header + five methods");
        for (String row : rows.subList(1, rows.size())) {
            double acc = Double.parseDouble(row.split(",")[4]);
            // 4 rounds on real digits: every method must have left chance level (10 %)
            assertTrue(acc > 0.15 && acc <= 1, row);
        }
    }
}
