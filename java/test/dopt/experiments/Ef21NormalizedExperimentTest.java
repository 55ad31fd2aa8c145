package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ef21NormalizedExperimentTest {

    /** The quick mode writes every table and plot, and a verdict per problem; small steps never blow up. */
    @Test
    void quickModeWritesTheReportTablesAndPlots(@TempDir Path dir) throws Exception {
        Experiment e = Experiments.byName("ef21-normalized");
        Path md = Experiments.run(e, new long[] {1, 2}, dir, true, "./dopt experiment run ef21-normalized --quick");
        String text = Files.readString(md);
        for (String key : List.of("polynomial", "polynomial-far", "logistic", "cnn")) {
            for (String f : List.of(key + "-summary.csv", key + "-grid.csv"))
                assertTrue(Files.exists(dir.resolve(f)), f);
            for (String f : List.of(key + "-final-vs-step.png", key + "-curves.png")) {
                assertTrue(Files.size(dir.resolve(f)) > 1000, f);
                assertTrue(text.contains("](" + f + ")"), f);
            }
            // at the smallest step every method's final loss is a finite number in the grid table
            List<String> grid = Files.readAllLines(dir.resolve(key + "-grid.csv"));
            String loss = key.startsWith("polynomial") ? "f - f*" : key.equals("logistic") ? "f - f_ref" : "loss";
            assertEquals("method,step,final " + loss + ",std,diverged seeds,test acc.", grid.get(0));
            String smallest = grid.get(1).split(",")[1];
            for (String line : grid.subList(1, grid.size())) {
                String[] cells = line.split(",");
                if (cells[1].equals(smallest)) assertTrue(Double.isFinite(Double.parseDouble(cells[2])), line);
            }
        }
        List<String> summary = Files.readAllLines(dir.resolve("summary.csv"));
        assertEquals(5, summary.size(), "a header and one row per problem: " + summary);
        assertEquals(4, text.split("\\*\\*Claim here: ", -1).length - 1, "one verdict per problem");
    }

    @Test
    void theStepGridIsEvenInLogScale() {
        assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1}, Ef21NormalizedExperiment.logGrid(-3, 0, 4), 1e-15);
        assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5}, Ef21NormalizedExperiment.smooth(new double[] {1, 2, 3, 4}, 2), 1e-15);
    }
}
