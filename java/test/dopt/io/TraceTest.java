package dopt.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceTest {
    @TempDir Path dir;

    private static Map<String, float[][]> metrics(int steps, int ranks) {
        Map<String, float[][]> m = new LinkedHashMap<>();
        for (String name : List.of("loss", "grad_norm", "bytes_sent")) {
            float[][] v = new float[steps][ranks];
            for (int s = 0; s < steps; s++)
                for (int r = 0; r < ranks; r++) v[s][r] = name.length() * 1000 + s + r / 10f;
            m.put(name, v);
        }
        m.get("loss")[0][0] = Float.intBitsToFloat(0x7fc0beef);
        return m;
    }

    @Test
    void roundTripKeepsValuesBitsAndOrder() throws Exception {
        Path file = dir.resolve("trace.h5");
        Map<String, float[][]> m = metrics(7, 3);
        Trace.write(file, m, Map.of("loss", "nats", "bytes_sent", "bytes"), Map.of("job_name", "mnist", "ranks", "3"));
        Map<String, float[][]> back = Trace.read(file);
        assertEquals(List.copyOf(m.keySet()), List.copyOf(back.keySet()));
        for (String k : m.keySet()) {
            assertEquals(m.get(k).length, back.get(k).length, k);
            for (int s = 0; s < m.get(k).length; s++)
                assertArrayEquals(Fixtures.bits(m.get(k)[s]), Fixtures.bits(back.get(k)[s]), k + " step " + s);
        }
        assertEquals(List.of(), Fixtures.tmpFiles(dir));
        try (HdfFile h = new HdfFile(file)) {
            Dataset loss = h.getDatasetByPath("trace/loss");
            assertArrayEquals(new int[] {7, 3}, loss.getDimensions());
            assertEquals("nats", loss.getAttribute("units").getData());
            assertEquals("step,rank", loss.getAttribute("dims").getData());
            assertEquals("", h.getDatasetByPath("trace/grad_norm").getAttribute("units").getData(), "units default to empty");
            assertEquals("3", h.getAttribute("ranks").getData());
            assertEquals(Trace.FORMAT, h.getAttribute("format").getData());
        }
    }

    @Test
    void rewritingReplacesTheTrace() throws Exception {
        Path file = dir.resolve("trace.h5");
        Trace.write(file, metrics(3, 2), Map.of(), Map.of());
        Trace.write(file, metrics(5, 2), Map.of(), Map.of());
        assertEquals(5, Trace.read(file).get("loss").length);
        assertEquals(List.of(), Fixtures.tmpFiles(dir));
    }

    @Test
    void aMetricWithoutStepsRoundTripsAsEmpty() throws Exception {
        Path file = dir.resolve("trace.h5");
        Trace.write(file, Map.of("loss", new float[0][]), Map.of(), Map.of());
        assertEquals(0, Trace.read(file).get("loss").length);
    }

    @Test
    void raggedMatricesAndBadNamesAreRefusedWithoutLeavingFiles() throws IOException {
        Path file = dir.resolve("trace.h5");
        IOException e = assertThrows(IOException.class,
                () -> Trace.write(file, Map.of("loss", new float[][] {{1f, 2f}, {3f}}), Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith("cannot write trace " + file) && e.getMessage().contains("ragged"), e.getMessage());
        e = assertThrows(IOException.class, () -> Trace.write(file, Map.of("a/b", new float[][] {{1f}}), Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("'a/b'"), e.getMessage());
        assertTrue(!Files.exists(file));
        assertTrue(Fixtures.tmpFiles(dir).isEmpty());
    }

    @Test
    void readingSomethingElseSaysWhat() throws Exception {
        assertEquals("trace " + dir.resolve("none.h5") + " does not exist",
                assertThrows(IOException.class, () -> Trace.read(dir.resolve("none.h5"))).getMessage());
        Path ckpt = dir.resolve("ckpt.h5");
        Checkpoint.write(Fixtures.sampleTree(), ckpt, Map.of());
        assertTrue(assertThrows(IOException.class, () -> Trace.read(ckpt)).getMessage().contains("not a dopt trace"));
        Path cut = Files.write(dir.resolve("cut.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F'});
        assertTrue(assertThrows(IOException.class, () -> Trace.read(cut)).getMessage().contains("truncated"));
    }
}
