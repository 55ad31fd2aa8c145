package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByzVrMarinaExperimentTest {

    /** accuracy.csv's cell "mean ± std (loss ...)" → the mean. */
    private static double mean(String cell) { return Double.parseDouble(cell.substring(0, cell.indexOf(' '))); }

    /**
     * Quick mode (seed 1, 100 steps, 8 thread ranks, 3 Byzantine, 3 sampled a step, median):
     * under IPM (eps 10) robust SGD ends at about 0.11 (it learns the wrong way) while
     * Byz-VR-MARINA-PP ends at 0.900, the honest baseline at 0.909, when this test was written;
     * under the Gaussian attack the clip is what saves Byz-VR-MARINA-PP (0.908 with it, 0.606
     * without).
     */
    @Test
    void theQuickRunShowsByzVrMarinaPpConvergingWhereRobustSgdDoesNot(@TempDir Path dir) throws Exception {
        Path md = Experiments.run(Experiments.byName("byz-vr-marina-pp"), new long[] {1}, dir, true, "test");
        String text = Files.readString(md);
        assertTrue(text.contains("**The claim held on this run.**"), text);
        assertTrue(Files.size(dir.resolve("accuracy.png")) > 1000);
        List<String> lines = Files.readAllLines(dir.resolve("accuracy.csv"));
        assertEquals("method,ipm eps=10,gaussian mu=0 sigma=10", lines.get(0));
        // no cell holds a comma: a row splits into method, ipm, gaussian
        String[] sgd = lines.get(1).split(","), marina = lines.get(3).split(","), unclipped = lines.get(4).split(",");
        assertTrue(sgd[0].startsWith("robust SGD") && marina[0].startsWith("Byz-VR-MARINA-PP (") && unclipped[0].endsWith("without clipping"),
                lines.toString());
        assertTrue(mean(marina[1]) > 0.85, "Byz-VR-MARINA-PP converges under IPM (chance 0.5): " + marina[1]);
        assertTrue(mean(sgd[1]) < 0.5, "robust SGD does not: " + sgd[1]);
        assertTrue(mean(marina[2]) > 0.85 && mean(unclipped[2]) < mean(marina[2]) - 0.15,
                "under the Gaussian attack the clip matters: " + marina[2] + " vs " + unclipped[2]);
    }
}
