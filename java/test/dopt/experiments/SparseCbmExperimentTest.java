package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseCbmExperimentTest {

    @Test
    void theQuickRunWritesTheReportTablesPlotAndFiniteNumbers(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("sparse-cbm"), new long[] {1}, dir, true, "./dopt experiment run sparse-cbm --quick");
        String text = Files.readString(md);
        assertTrue(text.contains("## Does the claim hold?"), text);
        assertTrue(text.contains("| Ankle boot |"), text);
        for (String f : List.of("results.csv", "top-concepts.csv", "verdict.csv")) assertTrue(Files.size(dir.resolve(f)) > 0, f);
        assertTrue(Files.size(dir.resolve("accuracy.png")) > 1000);
        List<String> rows = Files.readAllLines(dir.resolve("results.csv"));
        assertEquals(1 + SparseCbmExperiment.VARIANTS.size(), rows.size());
        for (String line : rows.subList(1, rows.size())) {
            String[] f = line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)"); // commas outside quotes
            assertEquals(7, f.length, line);
            double acc = Double.parseDouble(f[1].split(" ")[0]);
            assertTrue(acc >= 0 && acc <= 1, line);
            if (!f[3].equals("-")) {
                double active = Double.parseDouble(f[3]);
                assertTrue(active >= 1 && active <= FashionConcepts.CONCEPTS.length, line);
            }
        }
        assertEquals(1 + 10, Files.readAllLines(dir.resolve("top-concepts.csv")).size());
    }

    @Test
    void conceptMetricsOnAOneHotAndAFlatVector() {
        int c = FashionConcepts.CONCEPTS.length;
        // class 8 (Bag) has one concept, 'has a handle' (index 14): a one-hot there is 1 active, effective 1, R-precision 1
        float[] z = new float[2 * c];
        z[14] = 1;
        for (int j = 0; j < c; j++) z[c + j] = 0.5f;
        var r = SparseCbmExperiment.conceptMetrics(new double[] {1}, z, new int[] {8, 8}, 2, c);
        assertEquals((1 + c) / 2.0, r.active(), 1e-9);
        assertEquals((1 + c) / 2.0, r.effective(), 1e-6);
        assertEquals(1.0, r.classRPrecision(), 1e-9, "class mean still peaks at 'has a handle'");
        // the flat row's top-1 is concept 0 (ties keep the first), not the table's
        assertEquals(0.5, r.sampleRPrecision(), 1e-9);
    }

    @Test
    void everyClassHasADistinctConceptSet() {
        for (int a = 0; a < 10; a++)
            for (int b = a + 1; b < 10; b++)
                assertTrue(!java.util.Arrays.equals(FashionConcepts.HAS[a], FashionConcepts.HAS[b]), FashionConcepts.CLASSES[a] + " vs " + FashionConcepts.CLASSES[b]);
    }
}
