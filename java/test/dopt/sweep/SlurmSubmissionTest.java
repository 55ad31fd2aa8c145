package dopt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlurmSubmissionTest {
    private static final Path REPO = Path.of("/repo");

    @Test
    void multicorePointsAskForOneNodeAndATaskPerRank() throws Exception {
        Sweep s = SweepFile.parse("{\"name\": \"m\", \"base\": {}, \"axes\": {\"seed\": [1, 2, 3]}, \"np\": 2, \"output\": \"/sw\"}", "t", null);
        List<String> cmd = SlurmSubmission.command(s, new SweepFolder(Path.of("/sw")), REPO, null, 3);
        assertEquals(List.of("sbatch", "--parsable", "--array=0-2", "--job-name=m", "--output=/sw/slurm/%A_%a.out", "--nodes=1", "--ntasks=2",
                "/repo/slurm/sweep-array.sbatch", "/sw"), cmd);
    }

    @Test
    void niodevPointsSpanNodesAndTheThrottleAndSelectionGoIntoTheArraySpec() throws Exception {
        Sweep s = SweepFile.parse("{\"name\": \"n\", \"base\": {}, \"np\": 8, \"dev\": \"niodev\", \"nodes\": 2, \"ranks_per_node\": 4,"
                + " \"max_parallel\": 2, \"sbatch\": [\"--time=00:10:00\", \"--gpus-per-node=4\"]}", "t", null);
        List<String> cmd = SlurmSubmission.command(s, new SweepFolder(Path.of("/sw")), REPO, List.of(3, 5), 9);
        assertTrue(cmd.contains("--array=3,5%2"), cmd.toString());
        assertTrue(cmd.containsAll(List.of("--nodes=2", "--ntasks-per-node=4", "--time=00:10:00", "--gpus-per-node=4")), cmd.toString());
        assertEquals("/sw", cmd.get(cmd.size() - 1));
        assertEquals("0-99", SlurmSubmission.arraySpec(null, 100, 0));
    }
}
