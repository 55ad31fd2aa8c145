package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalScalingExperimentTest {

    /**
     * Quick mode (4 clients, 4 rounds on the embedded MNIST slice, seed 1): the clients are thread
     * ranks averaging through the engine's LocalSteps. The numbers must say what local methods are
     * for: with H = 8 local steps per round every local method is far past chance after 4 rounds
     * (32 steps; about 0.75 to 0.82 when this test was written), while synchronous Adam, one step per
     * round (4 steps in all), is well behind every one of them (0.39 then) and misses the 0.5 target.
     */
    @Test
    void theQuickRunShowsLocalStepsBuyAccuracyPerRound(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("local-scaling"), new long[] {1}, dir, true, "test");
        String text = Files.readString(md);
        assertTrue(text.contains("## Verdict") && text.contains("Rounds to the higher accuracy target: plain Local SGD 2;"), text);
        assertTrue(Files.size(dir.resolve("accuracy-vs-rounds.png")) > 1000);
        List<String> rows = Files.readAllLines(dir.resolve("best.csv"));
        assertEquals(6, rows.size(), "header + five methods");
        List<String> names = List.of("Local SGD", "Local SGD + Adam scaling", "Local SGD + RMSProp scaling", "Local SGD + OASIS scaling",
                "Synchronous Adam (H = 1)");
        double slowestLocal = 1;
        for (int i = 0; i < 4; i++) {
            String[] c = rows.get(1 + i).split(",");
            assertEquals(names.get(i), c[0]);
            assertEquals("8", c[2], "H");
            double acc = Double.parseDouble(c[4]), loss = Double.parseDouble(c[3]);
            assertTrue(acc >= 0.65 && acc <= 0.9, "a local method after 32 steps: " + rows.get(1 + i));
            assertTrue(loss > 0.3 && loss < 1.3, "its test loss: " + rows.get(1 + i));
            assertEquals("2", c[6], "the 0.3 target at the first evaluation: " + rows.get(1 + i));
            slowestLocal = Math.min(slowestLocal, acc);
        }
        String[] sync = rows.get(5).split(",");
        assertEquals(names.get(4), sync[0]);
        assertEquals("1", sync[2], "H");
        double syncAcc = Double.parseDouble(sync[4]);
        assertTrue(syncAcc > 0.2 && syncAcc < 0.5, "synchronous Adam after 4 steps: " + rows.get(5));
        assertTrue(syncAcc < slowestLocal - 0.2, "behind every local method by a clear margin: " + syncAcc + " vs " + slowestLocal);
        assertEquals("not reached", sync[7], "synchronous Adam misses the 0.5 target in 4 rounds");
    }
}
