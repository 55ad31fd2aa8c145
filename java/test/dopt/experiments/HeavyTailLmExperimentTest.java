package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeavyTailLmExperimentTest {

    @Test
    void quickModeWritesTheNoiseStatisticsTheTablesAndThePlots(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("heavy-tail-lm"), new long[] {1}, dir, true, "./dopt experiment run heavy-tail-lm --quick");
        String text = Files.readString(md);
        assertTrue(text.contains("## Is the gradient noise heavy-tailed?") && text.contains("## Verdict"), text);
        for (String f : List.of("p95-validation.png", "median-validation.png", "noise-tail.png"))
            assertTrue(Files.size(dir.resolve(f)) > 1000, f);
        try (var s = Files.list(dir)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("pretrained-")).count(), "the pre-trained weights are cached");
        }

        // the tiny LM after 10 pre-training steps is barely better than uniform bytes (ln 256 = 5.55): 5.19 when written
        java.util.regex.Matcher before = java.util.regex.Pattern.compile("Before fine-tuning: validation loss ([0-9.]+)").matcher(text);
        assertTrue(before.find(), text);
        double valBefore = Double.parseDouble(before.group(1));
        assertTrue(valBefore > 4.8 && valBefore < 5.5, "validation loss before fine-tuning " + valBefore);
        List<String> rows = Files.readAllLines(dir.resolve("final-loss.csv"));
        assertEquals(1 + 5, rows.size(), "header + 5 methods");
        List<String> names = List.of("AdaGrad", "AdaGradD", "Clip-RAdaGradD", "Adam", "clipped Adam");
        for (int i = 1; i < rows.size(); i++) {
            String[] c = rows.get(i).split(",");
            assertEquals(names.get(i - 1), c[0]);
            double median = Double.parseDouble(c[3]), p95 = Double.parseDouble(c[4]), max = Double.parseDouble(c[5]);
            assertTrue(Double.isFinite(max) && median > 0 && median <= p95 && p95 <= max, rows.get(i));
            // 6 fine-tuning steps at the chosen step (1e-2 for every method here) take off at least 0.5 nats
            // (0.7 for AdaGrad to 1.5 for clipped Adam when this test was written), and no seed diverged
            assertTrue(median < valBefore - 0.5 && median > 3, "fine-tuning lowered the validation loss: " + rows.get(i));
            assertEquals("0/2", c[6], rows.get(i));
        }
        // quick mode's verdict: each clipped method's 95th percentile lies below its unclipped partner's by more than its spread
        assertTrue(text.contains("Clipping lowered the 95th percentile in 3 of 3 pairs (clearly in 3)."), text);
        // 2 reported seeds per seed of the run (quick), 5 methods
        assertEquals(1 + 5 * 2, Files.readAllLines(dir.resolve("seeds.csv")).size());
        // every method's grid (2 points in quick mode, no extension) is in the tuning table
        assertEquals(1 + 5 * 2, Files.readAllLines(dir.resolve("tuning-grid.csv")).size());

        List<String> noise = Files.readAllLines(dir.resolve("noise-tail.csv"));
        assertTrue(noise.get(1).startsWith("Hill tail index"), noise.toString());
        for (String r : noise.subList(1, 4)) {
            double measured = Double.parseDouble(r.split(",")[1]), gauss = Double.parseDouble(r.split(",")[2]);
            assertTrue(measured > 0 && Double.isFinite(measured) && gauss > 0 && Double.isFinite(gauss), r);
        }
    }

    @Test
    void theGaussianReferenceHasTheRequestedSpectrum() {
        // ‖z‖² = Σ λⱼ ηⱼ² has mean Σ λⱼ = 6 and variance 2 Σ λⱼ² = 28
        double[] lambda = {1, 2, 3};
        double[] n = HeavyTailLmExperiment.gaussianNorms(lambda, 200_000, new Rng(9));
        double[] sq = new double[n.length];
        for (int i = 0; i < n.length; i++) sq[i] = n[i] * n[i];
        assertEquals(6, Stats.mean(sq), 0.05);
        assertEquals(Math.sqrt(28), Stats.std(sq), 0.1);
    }

    @Test
    void verdictComparesThe95thPercentilesOfEachPair() {
        // rows: method, lr, edge, median, p95, max, ...
        List<List<Object>> rows = List.of(
                List.<Object>of("AdaGrad", "", "", 1.0, 1.5, 2.0),
                List.<Object>of("AdaGradD", "", "", 1.0, 1.5, 2.0),
                List.<Object>of("Clip-RAdaGradD", "", "", 1.0, 1.1, 1.2),
                List.<Object>of("Adam", "", "", 1.0, 1.2, 1.3),
                List.<Object>of("clipped Adam", "", "", 1.0, 1.3, 1.4));
        String v = HeavyTailLmExperiment.verdict(rows);
        assertTrue(v.contains("Clipping lowered the 95th percentile in 2 of 3 pairs (clearly in 2)"), v);
        assertTrue(v.contains("held in only one of its two pairs"), v);
    }
}
