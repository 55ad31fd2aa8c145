package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByzantineRobustExperimentTest {

    /** cells.csv by "task|sharding|f|attack|rule" → its columns. */
    private static Map<String, String[]> cells(Path dir) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("cells.csv"));
        assertEquals("task,sharding,f,attack,rule,runs,diverged,mean accuracy,std,wall s,not run", lines.get(0));
        Map<String, String[]> m = new HashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split(",", 11);
            m.put(c[0] + "|" + c[1] + "|" + c[2] + "|" + c[3] + "|" + c[4], c);
        }
        return m;
    }

    private static double accuracy(Map<String, String[]> cells, String key) {
        String[] c = cells.get(key);
        assertTrue(c != null, "no cell " + key + " in " + cells.keySet());
        return Double.parseDouble(c[7]);
    }

    /**
     * Quick mode (seed 1, 60 steps, iid, f = 2 of 8 thread ranks): with two ranks sending Gaussian
     * noise (sigma 10 per coordinate) the mean is poisoned and the median is not (0.387 against
     * 0.782 when this test was written, the honest baseline 0.796); the honest baselines learn
     * (Spambase 0.909); the trimmed mean cannot take f = 2 behind bucketing (4 buckets), and the
     * experiment says so instead of running it.
     */
    @Test
    void theQuickRunShowsTheMedianSurvivingWhatPoisonsTheMean(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("byzantine-robust"), new long[] {1}, dir, true, "test");
        String text = Files.readString(md);
        assertTrue(text.contains("## Verdict") && text.contains("**Robust rules beat the mean under attack.**"), text);
        assertTrue(Files.size(dir.resolve("mnist-embedded-iid-f2.png")) > 1000);
        Map<String, String[]> cells = cells(dir);
        assertEquals(2 * (1 + 2 * 5), cells.size(), "per task: the baseline and 2 attacks x 5 rule variants");

        double mnistBase = accuracy(cells, "MNIST MLP|iid|0|none|mean (honest baseline)");
        double spamBase = accuracy(cells, "Spambase logistic regression|iid|0|none|mean (honest baseline)");
        assertTrue(mnistBase > 0.6, "MNIST MLP learns on 8 honest ranks in 60 steps (chance 0.1): " + mnistBase);
        assertTrue(spamBase > 0.8, "Spambase logistic regression learns (chance 0.5): " + spamBase);

        double mean = accuracy(cells, "MNIST MLP|iid|2|gaussian|mean");
        double median = accuracy(cells, "MNIST MLP|iid|2|gaussian|median");
        assertTrue(median > mnistBase - 0.1, "the median trains through the Gaussian attack: " + median + " vs " + mnistBase);
        assertTrue(median > mean + 0.2, "the mean is poisoned: " + mean + " vs the median's " + median);

        String[] skipped = cells.get("MNIST MLP|iid|2|gaussian|trimmed_mean + bucketing");
        assertEquals("0", skipped[5], "not run");
        assertTrue(skipped[10].contains("sees 4 rows") && skipped[10].contains("2f < n"), skipped[10]);
        assertTrue(text.contains("## Cells and seeds not run"), text);
    }

    /**
     * The full grid, which no test runs: every cell's job parses, every rule variant and attack
     * trains through the engine (Spambase, f = 3 of 8, 5 steps), and exactly the cells a rule cannot
     * take are left out: behind bucketing the trimmed mean and Krum see 4 rows (2f < 4 and
     * 4 − f − 2 ≥ 1 fail for f = 2 and 3), and under garbage at f = 3 they see the 5 valid rows
     * (6 < 5 and 5 − 3 − 2 ≥ 1 fail); at f = 2 the 6 valid rows are enough.
     */
    @Test
    void everyCellOfTheFullGridIsAJobTheEngineRunsOrOneItCannotTake() throws Exception {
        var task = ByzantineRobustExperiment.tasks().get(1);
        java.util.Set<String> skipped = new java.util.TreeSet<>();
        for (int f : List.of(2, 3))
            for (var a : ByzantineRobustExperiment.attacks(false))
                for (var r : ByzantineRobustExperiment.rules(false))
                    for (String sharding : List.of("iid", "dirichlet")) {
                        var cell = new ByzantineRobustExperiment.Cell(task, sharding, f, a, r);
                        dopt.job.JobFile.parse(ByzantineRobustExperiment.jobJson(cell, 1, 300), "cell");
                        if (ByzantineRobustExperiment.whyNot(cell) != null) skipped.add(f + " " + a.name() + " " + r.label());
                    }
        java.util.Set<String> expected = new java.util.TreeSet<>();
        for (int f : List.of(2, 3))
            for (var a : ByzantineRobustExperiment.attacks(false))
                for (String rule : List.of("trimmed_mean + bucketing", "krum + bucketing")) expected.add(f + " " + a.name() + " " + rule);
        expected.add("3 garbage trimmed_mean");
        expected.add("3 garbage krum");
        assertEquals(expected, skipped);

        Path repo = Path.of(System.getProperty("dopt.home", "."));
        var gaussian = ByzantineRobustExperiment.attacks(false).get(4);
        for (var r : ByzantineRobustExperiment.rules(false)) {
            var res = ByzantineRobustExperiment.run(new ByzantineRobustExperiment.Cell(task, "iid", 3, gaussian, r), new long[] {1}, 5, repo);
            assertEquals(skipped.contains("3 gaussian " + r.label()) ? 0 : 1, res.runs(), r.label() + ": " + res.notRun());
        }
        var median = ByzantineRobustExperiment.rules(false).get(1);
        assertEquals("median", median.label());
        for (var a : ByzantineRobustExperiment.attacks(false)) {
            var res = ByzantineRobustExperiment.run(new ByzantineRobustExperiment.Cell(task, "iid", 3, a, median), new long[] {1}, 5, repo);
            assertEquals(1, res.runs(), a.name() + ": " + res.notRun());
        }
    }
}
