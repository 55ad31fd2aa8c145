package dopt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.state.StateTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectTest {
    @TempDir Path dir;

    private Path checkpoint() throws IOException {
        StateTree tree = Fixtures.sampleTree();
        tree.putFloats("params/embed", new float[30], 5, 6);
        tree.putDoubles("markov/chain/z", new double[6], 2, 3);
        Path file = dir.resolve("ckpt-000100.h5");
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("step", "100");
        attrs.put("job_name", "a-job-name-that-is-long-".repeat(12));
        attrs.put("job", "{\"model\": \"" + "x".repeat(1000) + "\"}");
        attrs.put("notes", "n".repeat(40_000)); // far beyond what a fixed-length attribute could hold
        Checkpoint.write(tree, file, attrs, 20);
        return file;
    }

    @Test
    void describesACheckpoint() throws Exception {
        Path file = checkpoint();
        String text = Inspect.describe(file);
        assertTrue(text.contains(String.format("%,d bytes", Files.size(file))), text);
        for (String s : new String[] {"dopt checkpoint", "step = 100", "job_name = " + "a-job-name-that-is-long-".repeat(12),
                "/params/fc1.weight", "float32  [3, 4]", "/optim/adam/mu/conv", "[2, 3, 2]", "/ranks/0/rng", "int64  [4]",
                "/job", "string  scalar", "/params/embed", "[5, 6]  (stored as 2 parts)", "/empty/floats", "[2, 0]  (empty)", "/markov/chain/z", "float64  [2, 3]",
                "verification: checksum OK"})
            assertTrue(text.contains(s), "describe shows '" + s + "':\n" + text);
        String jobLine = text.lines().filter(l -> l.startsWith("  job = ")).findFirst().orElseThrow();
        assertTrue(jobLine.length() < 260 && jobLine.endsWith("(1013 chars)"), "long job JSON is shortened: " + jobLine);
        assertTrue(text.indexOf("/params/fc1.weight") < text.indexOf("/train/step")
                && text.indexOf("/train/step") < text.indexOf("/optim/adam/mu/conv"), "datasets in insertion order:\n" + text);
        assertFalse(text.contains("_jHDF"), text);
        assertTrue(text.contains("  notes = nnnnn") && text.contains("(40000 chars)"), text);
    }

    @Test
    void reportsAChecksumMismatchWithoutThrowing() throws Exception {
        Path file = checkpoint();
        Fixtures.flipMarkerByte(file);
        String text = Inspect.describe(file);
        assertTrue(text.contains("verification: FAILED") && text.contains("checksum mismatch"), text);
    }

    @Test
    void describesATrace() throws Exception {
        Map<String, TraceData.Metric> m = new LinkedHashMap<>();
        m.put("loss", new TraceData.Floats(new float[][] {{4f, 4f}, {3f, 2f}, {1f, 2f}}, "nats"));
        long[][] wide = new long[3][16];
        for (int r = 0; r < 16; r++) wide[2][r] = (1L << 40) + r;
        m.put("bytes_sent", new TraceData.Counts(wide, "bytes"));
        TraceData.Evaluations ev = new TraceData.Evaluations(new long[] {30}, new double[] {0.25}, new double[] {0.875});
        Path file = dir.resolve("trace.h5");
        Trace.write(file, new TraceData(new long[] {10, 20, 30}, m, ev), Map.of("job_name", "mnist", "ranks", 2L));
        String text = Inspect.describe(file);
        for (String s : new String[] {"dopt trace", "/trace/loss", "float32  [3, 2]", "/trace/bytes_sent", "int64  [3, 16]",
                "/step", "/eval/loss", "ranks = 2  (int64)", "job_name = mnist\n",
                "loss [nats]: 3 steps; last step (30) mean 1.50000, per rank [1.00000, 2.00000]",
                "bytes_sent [bytes]: 3 steps; last step (30) mean 1.09951e+12, min 1.09951e+12, max 1.09951e+12",
                "step 30: loss 0.250000, accuracy 0.875000"})
            assertTrue(text.contains(s), "describe shows '" + s + "':\n" + text);
        assertFalse(text.contains("verification"), text);
    }

    @Test
    void missingAndTruncatedFilesAreClearErrors() throws Exception {
        Path missing = dir.resolve("nope.h5");
        assertEquals("file " + missing + " does not exist", assertThrows(IOException.class, () -> Inspect.describe(missing)).getMessage());
        Path file = checkpoint();
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        String m = assertThrows(IOException.class, () -> Inspect.describe(file)).getMessage();
        assertTrue(m.contains(file.toString()) && m.contains("truncated"), m);
    }
}
