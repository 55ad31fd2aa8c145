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

    private static TraceData data(int steps, int ranks) {
        Map<String, TraceData.Metric> m = new LinkedHashMap<>();
        for (String name : List.of("loss", "grad_norm")) {
            float[][] v = new float[steps][ranks];
            for (int s = 0; s < steps; s++)
                for (int r = 0; r < ranks; r++) v[s][r] = name.length() * 1000 + s + r / 10f;
            m.put(name, new TraceData.Floats(v, name.equals("loss") ? "nats" : ""));
        }
        if (steps > 0) ((TraceData.Floats) m.get("loss")).values()[0][0] = Float.intBitsToFloat(0x7fc0beef);
        long[][] bytes = new long[steps][ranks];
        for (int s = 0; s < steps; s++)
            for (int r = 0; r < ranks; r++) bytes[s][r] = (1L << 24) + 1 + s + ((long) r << 40); // no float32 holds these
        m.put("bytes_sent", new TraceData.Counts(bytes, "bytes"));
        long[] index = new long[steps];
        for (int s = 0; s < steps; s++) index[s] = s + 1;
        return new TraceData(index, m, TraceData.Evaluations.NONE);
    }

    private static TraceData withEvaluations(TraceData d, TraceData.Evaluations ev) {
        return new TraceData(d.steps(), d.metrics(), ev);
    }

    @Test
    void roundTripKeepsValuesBitsTypesAndOrder() throws Exception {
        Path file = dir.resolve("trace.h5");
        TraceData.Evaluations ev = new TraceData.Evaluations(new long[] {3, 7}, new double[] {2.25, 1.125}, new double[] {0.5, Double.NaN});
        TraceData d = withEvaluations(data(7, 3), ev);
        Trace.write(file, d, Map.of("job_name", "mnist", "ranks", 3L));
        TraceData back = Trace.read(file);
        assertEquals(List.of("loss", "grad_norm", "bytes_sent"), List.copyOf(back.names()));
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 7}, back.steps());
        for (String k : List.of("loss", "grad_norm"))
            for (int s = 0; s < 7; s++)
                assertArrayEquals(Fixtures.bits(d.floats(k)[s]), Fixtures.bits(back.floats(k)[s]), k + " step " + s);
        for (int s = 0; s < 7; s++) assertArrayEquals(d.counts("bytes_sent")[s], back.counts("bytes_sent")[s], "bytes, exactly, step " + s);
        assertArrayEquals(ev.steps(), back.evaluations().steps());
        assertArrayEquals(ev.loss(), back.evaluations().loss());
        assertArrayEquals(ev.accuracy(), back.evaluations().accuracy(), "NaN accuracy of a language model kept");
        assertEquals("nats", back.metrics().get("loss").units());
        assertEquals(List.of(), Fixtures.tmpFiles(dir));
        try (HdfFile h = new HdfFile(file)) {
            Dataset loss = h.getDatasetByPath("trace/loss");
            assertArrayEquals(new int[] {7, 3}, loss.getDimensions());
            assertEquals("nats", loss.getAttribute("units").getData());
            assertEquals("step,rank", loss.getAttribute("dims").getData());
            assertEquals("", h.getDatasetByPath("trace/grad_norm").getAttribute("units").getData(), "units default to empty");
            assertEquals(long[][].class, h.getDatasetByPath("trace/bytes_sent").getData().getClass(), "counts are int64");
            assertEquals(3L, h.getAttribute("ranks").getData(), "numbers are numeric attributes");
            assertEquals(Trace.FORMAT, h.getAttribute("format").getData());
        }
    }

    @Test
    void aCountIsNotReadAsFloatsByMistake() throws Exception {
        Path file = dir.resolve("trace.h5");
        Trace.write(file, data(2, 1), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trace.read(file).floats("bytes_sent"));
        assertTrue(e.getMessage().contains("counts()"), e.getMessage());
        assertEquals((1L << 24) + 2, Trace.read(file).values("bytes_sent")[1][0], "values() holds every count below 2^53 exactly");
    }

    /** Written by dopt before counts were int64 (2 ranks, 10 steps, float32 counters, text attributes, no index or evaluations). */
    @Test
    void aTraceOfTheFirstFormatIsStillRead() throws Exception {
        TraceData old = Trace.read(Fixtures.OLD_OUTPUTS.resolve("trace.h5"));
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, old.steps(), "rows are steps 1..n");
        assertEquals(0, old.evaluations().size());
        long[][] bytes = old.counts("bytes_sent");
        float[][] raw = ((TraceData.Floats) old.metrics().get("bytes_sent")).values();
        assertEquals(10, bytes.length);
        for (int s = 0; s < 10; s++)
            for (int r = 0; r < 2; r++) {
                assertTrue(bytes[s][r] > 0, "gradients were exchanged");
                assertEquals(raw[s][r], (float) bytes[s][r], "the float32 count, as a whole number");
            }
        assertEquals(10, old.floats("global_loss").length);
        try (HdfFile h = HdfFiles.open(Fixtures.OLD_OUTPUTS.resolve("trace.h5"), "trace")) {
            assertEquals("2", HdfFiles.asText(HdfFiles.rootAttributes(h)).get("ranks"), "text attributes of old files read as text");
        }
    }

    @Test
    void rewritingReplacesTheTrace() throws Exception {
        Path file = dir.resolve("trace.h5");
        Trace.write(file, data(3, 2), Map.of());
        Trace.write(file, data(5, 2), Map.of());
        assertEquals(5, Trace.read(file).floats("loss").length);
        assertEquals(List.of(), Fixtures.tmpFiles(dir));
    }

    @Test
    void aTraceWithoutStepsRoundTripsAsEmpty() throws Exception {
        Path file = dir.resolve("trace.h5");
        Trace.write(file, data(0, 2), Map.of());
        TraceData back = Trace.read(file);
        assertEquals(0, back.floats("loss").length);
        assertEquals(0, back.counts("bytes_sent").length);
        assertEquals(0, back.steps().length);
    }

    @Test
    void raggedMatricesMismatchedIndexAndBadNamesAreRefusedWithoutLeavingFiles() throws IOException {
        Path file = dir.resolve("trace.h5");
        IOException e = assertThrows(IOException.class, () -> Trace.write(file,
                new TraceData(new long[] {1, 2}, Map.of("loss", new TraceData.Floats(new float[][] {{1f, 2f}, {3f}}, "")),
                        TraceData.Evaluations.NONE), Map.of()));
        assertTrue(e.getMessage().startsWith("cannot write trace " + file) && e.getMessage().contains("ragged"), e.getMessage());
        e = assertThrows(IOException.class, () -> Trace.write(file,
                new TraceData(new long[] {1, 2, 3}, Map.of("loss", new TraceData.Floats(new float[][] {{1f}, {3f}}, "")),
                        TraceData.Evaluations.NONE), Map.of()));
        assertTrue(e.getMessage().contains("2 steps but the step index 3"), e.getMessage());
        e = assertThrows(IOException.class, () -> Trace.write(file,
                new TraceData(new long[] {1}, Map.of("a/b", new TraceData.Floats(new float[][] {{1f}}, "")), TraceData.Evaluations.NONE),
                Map.of()));
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
