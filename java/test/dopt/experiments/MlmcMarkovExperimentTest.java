package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlmcMarkovExperimentTest {

    @Test
    void quickRunWritesTablesPlotsAndFiniteErrors(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("mlmc-markov"), new long[] {1, 2}, dir, true, "test");
        String text = Files.readString(md);
        assertTrue(text.contains("Fitted slope of log(error) on log(tau)"), text);
        for (String name : new String[] {"quadratic-ar1", "least-squares-walk", "bilinear-game-ar1"}) {
            assertTrue(Files.size(dir.resolve(name + ".png")) > 1000, name);
            List<String> lines = Files.readAllLines(dir.resolve(name + ".csv"));
            assertEquals("method,tau,best step,final error (mean),sd over seeds", lines.get(0));
            assertTrue(lines.size() > 3, name);
            for (String line : lines.subList(1, lines.size())) {
                double err = Double.parseDouble(line.split(",")[3]);
                assertTrue(Double.isFinite(err) && err >= 0, line);
            }
        }
    }

    @Test
    void logLogSlopeOfAPowerLawIsItsExponent() {
        double[] x = {1, 2, 4, 8}, y = {3, 6, 12, 24}, z = {5, 5 * 8, 5 * 64, 5 * 512};
        assertEquals(1, MlmcMarkovExperiment.slope(x, y, 1), 1e-12);
        assertEquals(3, MlmcMarkovExperiment.slope(x, z, 2), 1e-12);
        double[] ab = MlmcMarkovExperiment.affine(x, new double[] {7, 9, 13, 21}); // 5 + 2x
        assertEquals(5, ab[0], 1e-12);
        assertEquals(2, ab[1], 1e-12);
    }
}
