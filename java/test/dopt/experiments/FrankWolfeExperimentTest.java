package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrankWolfeExperimentTest {

    @Test
    void theQuickRunWritesTheReportTablesPlotsAndFiniteTraces(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("frank-wolfe"), new long[] {1}, dir, true, "./dopt experiment run frank-wolfe --quick");
        String text = Files.readString(md);
        assertTrue(text.contains("## Does the claim hold?"), text);
        assertTrue(text.contains("| heart-scale | Saga-Sarah-FW |"), text);
        for (String f : List.of("epochs-to-gap.csv", "verdict.csv", "end.csv", "traces-heart-scale.csv", "traces-spambase-standardized.csv"))
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        for (String png : List.of("gap-heart-scale.png", "gap-spambase-standardized.png")) assertTrue(Files.size(dir.resolve(png)) > 1000, png);
        List<String> trace = Files.readAllLines(dir.resolve("traces-heart-scale.csv"));
        assertEquals("method,seed,epochs,relative_gap", trace.get(0));
        for (String line : trace.subList(1, trace.size())) {
            String[] f = line.split(",");
            double gap = Double.parseDouble(f[3]);
            assertTrue(Double.isFinite(gap) && gap >= 0, line);
        }
        List<String> end = Files.readAllLines(dir.resolve("end.csv"));
        assertEquals(1 + 2 * 7, end.size(), "one row per data set and method");
        for (String line : end.subList(1, end.size())) {
            String[] f = line.split(",");
            double l1 = Double.parseDouble(f[4]);
            assertTrue(l1 <= 1 + 1e-5, "iterates stay in the l1 ball: " + line);
            assertTrue(Double.isFinite(Double.parseDouble(f[3])), "finite loss: " + line);
        }
    }

    @Test
    void aRunsEpochsToATargetIsTheFirstTracedCrossing() {
        var t = new FrankWolfeExperiment.Trace(new double[] {0, 1, 2, 3}, new double[] {1, 0.2, 0.05, 0.08}, 0, 1, 1, 0);
        assertEquals(2, t.epochsTo(0.1));
        assertEquals(Double.POSITIVE_INFINITY, t.epochsTo(0.01));
        assertEquals(0.05, t.gapAt(2.5));
        assertEquals("yes (10.00, 2.000x fewer)", FrankWolfeExperiment.verdict(10, 20));
        assertEquals("no (30.00)", FrankWolfeExperiment.verdict(30, 20));
        assertEquals("no (not reached)", FrankWolfeExperiment.verdict(Double.POSITIVE_INFINITY, 20));
        assertEquals("yes (10.00; baseline not reached)", FrankWolfeExperiment.verdict(10, Double.POSITIVE_INFINITY));
    }
}
