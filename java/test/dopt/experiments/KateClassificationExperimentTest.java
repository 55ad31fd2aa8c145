package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KATE classification experiment's quick mode writes its report, tables and plots; its helpers by hand. */
class KateClassificationExperimentTest {

    @Test
    void quickModeWritesFiniteTablesBothPlotsAndAVerdict(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("kate-classification"), new long[] {1}, dir, true, "test");
        String text = Files.readString(md);
        assertTrue(text.contains("## Verdict") && text.contains("## Sensitivity") && text.contains("tasks."), text);
        for (String png : List.of("accuracy-mnist.png", "accuracy-spam.png")) assertTrue(Files.size(dir.resolve(png)) > 1000, png);
        List<String> csv = Files.readAllLines(dir.resolve("final.csv"));
        assertEquals(1 + 2 * 4, csv.size(), "2 tasks × 4 methods (KATE at two eps, Adam, AdaGrad)");
        for (String row : csv.subList(1, csv.size())) {
            String[] f = row.split(",");   // the task label holds a comma: count from the end
            double acc = Double.parseDouble(f[f.length - 4]), loss = Double.parseDouble(f[f.length - 2]);
            assertTrue(acc > 0 && acc <= 1, row);
            assertTrue(Double.isFinite(loss) && loss > 0, row);
        }
    }

    @Test
    void checkpointsAreEvenlySpacedAndTheLastIsTheFinalStep() {
        assertEquals(List.of(10, 20, 30, 40), List.of(KateClassificationExperiment.checkpointStep(0, 40, 4),
                KateClassificationExperiment.checkpointStep(1, 40, 4), KateClassificationExperiment.checkpointStep(2, 40, 4),
                KateClassificationExperiment.checkpointStep(3, 40, 4)));
        assertEquals(468, KateClassificationExperiment.checkpointStep(9, 468, 10));
    }

    @Test
    void theLearningRateIsPickedByMeanFinalLossAndADivergedSeedDisqualifies() {
        SeedCurves low = curves(1e-3, new double[] {0.90, 0.92}, new double[] {0.30, 0.40});   // mean loss 0.35
        SeedCurves mid = curves(3e-3, new double[] {0.95, 0.93}, new double[] {0.20, 0.30});   // mean loss 0.25
        SeedCurves high = curves(1e-2, new double[] {0.99, 0.10}, new double[] {0.01, Double.NaN});
        assertEquals(Double.POSITIVE_INFINITY, high.selectionLoss());
        assertEquals(3e-3, SeedCurves.best(List.of(low, mid, high)).lr());
        assertEquals(0.94, Stats.mean(mid.finalAccuracies()), 1e-12);
    }

    @Test
    void verdictNeedsKateWithinTheMarginOfAdamAndStrictlyAboveAdagrad() {
        Map<String, Map<String, SeedCurves>> tasks = new LinkedHashMap<>();
        // within half a point of Adam and above AdaGrad: held
        tasks.put("a", methods(0.975, 0.979, 0.970));
        // above Adam but tied with AdaGrad: not held
        tasks.put("b", methods(0.960, 0.950, 0.960));
        String v = KateClassificationExperiment.verdict(tasks, "KATE");
        assertTrue(v.contains("| a | 97.50 % | 97.90 % | 97.00 %"), v);
        assertTrue(v.contains("| yes | yes | **yes** |"), v);
        assertTrue(v.contains("| yes | no | **no** |"), v);
        assertTrue(v.contains("held on 1 of 2 tasks"), v);
        assertFalse(v.contains("NaN"), v);
    }

    private static Map<String, SeedCurves> methods(double kate, double adam, double adagrad) {
        Map<String, SeedCurves> m = new LinkedHashMap<>();
        m.put("KATE", curves(1e-3, new double[] {kate}, new double[] {0.1}));
        m.put("Adam", curves(1e-3, new double[] {adam}, new double[] {0.1}));
        m.put("AdaGrad", curves(1e-2, new double[] {adagrad}, new double[] {0.1}));
        return m;
    }

    /** One checkpoint per seed, the given final accuracy and loss. */
    private static SeedCurves curves(double lr, double[] acc, double[] loss) {
        SeedCurves c = new SeedCurves("m", lr, acc.length, 1);
        for (int s = 0; s < acc.length; s++) c.set(s, 0, acc[s], loss[s]);
        return c;
    }
}
