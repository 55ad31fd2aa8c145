package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.job.Job;
import dopt.job.JobException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's checks before any rank starts: a model too large for a rank's memory is refused with the bytes it needs. */
class PreflightTest {
    @TempDir Path dir;

    private Path job(String hidden) throws Exception {
        return Jobs.write(dir, "p", Jobs.mlp("p", "{\"name\": \"adam\", \"lr\": 0.001}", 10, 0, "").replace("[128]", hidden));
    }

    @Test
    void aLayerTooWideForTheRankJvmsHeapIsRefusedNamingTheFieldAndTheBytes() throws Exception {
        // 784 x 2,000,000 weights: 6.3 GB of floats for the values alone; this used to be an OutOfMemoryError in a rank
        String e = assertThrows(JobException.class,
                () -> Preflight.check(job("[2000000]"), DoptProcess.repo(), 2, 2, 4L << 30)).getMessage();
        assertTrue(e.contains("'model.hidden'") && e.contains("1590000010 parameters") && e.contains("bytes"), e);
        assertTrue(e.contains("2 ranks in one JVM"), e);
    }

    @Test
    void theHeapIsSharedByMulticoreRanksOnly() throws Exception {
        long perRank = ModelMemory.bytesPerRank(Preflight.check(job("[4096]"), DoptProcess.repo(), 1, 1, 1L << 40), 784, 10);
        Job ok = Preflight.check(job("[4096]"), DoptProcess.repo(), 4, 1, perRank + 1); // niodev: one rank per JVM
        assertEquals(4096, ok.model.hidden.get(0));
        assertThrows(JobException.class, () -> Preflight.check(job("[4096]"), DoptProcess.repo(), 4, 4, perRank + 1));
    }

    @Test
    void aFirstLayerThatNoJavaArrayHoldsIsRefused() throws Exception {
        String e = assertThrows(JobException.class,
                () -> Preflight.check(job("[3000000]"), DoptProcess.repo(), 1, 1, Long.MAX_VALUE)).getMessage();
        assertTrue(e.contains("'model.hidden'") && e.contains("2352000000-weight matrix"), e);
    }

    @Test
    void parameterCountsAddWeightsAndBiases() {
        assertEquals(784L * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10, ModelMemory.parameters(java.util.List.of(512, 512), 784, 10));
        assertEquals(784L * 10 + 10, ModelMemory.parameters(java.util.List.of(), 784, 10));
    }
}
