package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SgldPosteriorExperimentTest {

    @Test
    void quickRunWritesTheW2TableAndPlotsWithFiniteDistances(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("sgld-posterior"), new long[] {1}, dir, true, "test");
        assertTrue(Files.readString(md).contains("Fitted slope of log W2 on log gamma"));
        assertTrue(Files.size(dir.resolve("sgld-bures-w2.png")) > 1000);
        assertTrue(Files.size(dir.resolve("sgld-sliced-w2.png")) > 1000);
        List<String> lines = Files.readAllLines(dir.resolve("sgld-w2.csv"));
        assertTrue(lines.size() > 8);
        for (String line : lines.subList(1, lines.size())) {
            // the sampler's name is quoted (it holds a comma); the six numbers follow it
            String[] cells = line.substring(line.lastIndexOf('"') + 2).split(",");
            double bures = Double.parseDouble(cells[2]);
            assertTrue(Double.isFinite(bures) && bures > 0, line);
            if (!line.startsWith("\"closed form")) assertTrue(Double.parseDouble(cells[4]) > 0, line);
        }
    }

    @Test
    void stationaryCovarianceOfTheLinearChainByHand() {
        // 1-D, λ = 1, γ = 0.5: 2γ / (1 − (1 − γ)²) = 1/(1 − γ/2) = 4/3; with gradient noise C = 2: (γ²·2 + 2γ)/0.75 = 2
        assertArrayEquals(new double[] {4.0 / 3}, SgldPosteriorExperiment.stationaryCovariance(new double[] {1}, new double[] {1}, 1, 0.5, null), 1e-15);
        assertArrayEquals(new double[] {2}, SgldPosteriorExperiment.stationaryCovariance(new double[] {1}, new double[] {1}, 1, 0.5, new double[] {2}), 1e-15);
        // 2-D diagonal λ = (1, 4), γ = 0.1: 0.2/(1 − 0.81) and 0.2/(1 − 0.36)
        double[] cov = SgldPosteriorExperiment.stationaryCovariance(new double[] {1, 4}, new double[] {1, 0, 0, 1}, 2, 0.1, null);
        assertEquals(0.2 / 0.19, cov[0], 1e-12);
        assertEquals(0.2 / 0.64, cov[3], 1e-12);
        assertEquals(0, cov[1], 0);
    }
}
