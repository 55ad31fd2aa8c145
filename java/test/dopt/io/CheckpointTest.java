package dopt.io;

import static dopt.io.Fixtures.assertSameTree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.state.StateTree;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir Path dir;

    private static Map<String, String> attrs(long step) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("step", Long.toString(step));
        a.put("job_name", "mnist-mlp");
        a.put("job", Fixtures.JOB_JSON);
        return a;
    }

    @Test
    void roundTripIsBitExactInInsertionOrderWithAttributes() throws Exception {
        StateTree tree = Fixtures.sampleTree();
        Path file = dir.resolve("ckpt-000100.h5");
        Checkpoint.write(tree, file, attrs(100));

        Checkpoint.Loaded loaded = Checkpoint.read(file);
        assertSameTree(tree, loaded.tree());
        for (Map.Entry<String, String> e : attrs(100).entrySet())
            assertEquals(e.getValue(), loaded.attributes().get(e.getKey()), "attribute " + e.getKey());
        assertEquals(Checkpoint.FORMAT, loaded.attributes().get("format"));
        assertEquals(Integer.toString(Checkpoint.VERSION), loaded.attributes().get("format_version"));
        assertEquals(StateChecksum.sha256(tree), loaded.attributes().get("checksum_sha256"));
        assertNotNull(Instant.parse(loaded.attributes().get("created")));
        assertEquals(Set.of("step", "job_name", "job", "format", "format_version", "checksum_sha256", "created"), loaded.attributes().keySet(),
                "nothing else at the root (jhdf's own stamp is hidden)");
    }

    @Test
    void writingWhatWasReadGivesTheSameChecksum() throws Exception {
        Path a = dir.resolve("a.h5"), b = dir.resolve("b.h5");
        Checkpoint.write(Fixtures.sampleTree(), a, attrs(1));
        Checkpoint.write(Checkpoint.read(a).tree(), b, attrs(1));
        assertEquals(Checkpoint.read(a).attributes().get("checksum_sha256"), Checkpoint.read(b).attributes().get("checksum_sha256"));
    }

    @Test
    void checksumDependsOnDataShapeAndPath() {
        String base = StateChecksum.sha256(Fixtures.sampleTree());
        StateTree other = Fixtures.sampleTree();
        assertEquals(0x80000000, Float.floatToRawIntBits(other.floats("params/fc1.bias")[3]), "fixture holds -0.0 here");
        other.floats("params/fc1.bias")[3] = 0.0f;
        StateTree reshaped = Fixtures.sampleTree();
        reshaped.putFloats("params/fc1.weight", reshaped.floats("params/fc1.weight"), 4, 3);
        StateTree renamed = new StateTree();
        renamed.putFloats("x", new float[] {1f});
        StateTree renamed2 = new StateTree();
        renamed2.putFloats("y", new float[] {1f});
        assertFalse(base.equals(StateChecksum.sha256(other)), "data");
        assertFalse(base.equals(StateChecksum.sha256(reshaped)), "shape");
        assertFalse(StateChecksum.sha256(renamed).equals(StateChecksum.sha256(renamed2)), "path");
    }

    /**
     * The checksum of a tree of float, long and string leaves, pinned as computed before double
     * leaves existed: checkpoints written by earlier versions must still verify.
     */
    @Test
    void checksumOfFloatLongAndStringLeavesIsPinned() {
        assertEquals("c789f8e4cf1a92d256f89055e7bb10b5a5eea8d220615c9e7918ec329e309fbb", StateChecksum.sha256(Fixtures.sampleTree()));
    }

    @Test
    void doubleLeavesRoundTripBitExactlyWholeSplitAndEmpty() throws Exception {
        StateTree tree = Fixtures.sampleTree();
        tree.putDoubles("markov/sgd/x", Fixtures.awkwardDoubles(9, 1));
        tree.putDoubles("markov/chain/z", Fixtures.awkwardDoubles(12, 2), 3, 4);
        tree.putDoubles("markov/big", Fixtures.awkwardDoubles(23, 3), 23);
        tree.putDoubles("markov/empty", new double[0], 0, 3);
        tree.putDoubles("markov/scalar", new double[] {-0.0}, new int[0]);
        Path file = dir.resolve("doubles.h5");
        Checkpoint.write(tree, file, Map.of(), 20); // doubles split at half the float count: 23 -> 10 + 10 + 3

        Checkpoint.Loaded loaded = Checkpoint.read(file);
        assertSameTree(tree, loaded.tree());
        assertEquals(0x8000000000000000L, Double.doubleToRawLongBits(loaded.tree().doubles("markov/scalar")[0]));
        assertArrayEquals(new int[] {3, 4}, loaded.tree().shape("markov/chain/z"));
        try (HdfFile h = new HdfFile(file)) {
            assertEquals(double.class, h.getDatasetByPath("markov/sgd/x").getJavaType());
            assertEquals(3, ((Group) h.getByPath("markov/big")).getChildren().size());
        }
        StateTree other = Fixtures.sampleTree();
        other.putDoubles("markov/sgd/x", Fixtures.awkwardDoubles(9, 1));
        other.doubles("markov/sgd/x")[0] = Math.nextUp(other.doubles("markov/sgd/x")[0]);
        StateTree asFloats = Fixtures.sampleTree();
        asFloats.putFloats("markov/sgd/x", new float[18]);
        StateTree asDoubles = Fixtures.sampleTree();
        asDoubles.putDoubles("markov/sgd/x", new double[9]);
        assertFalse(StateChecksum.sha256(tree).equals(StateChecksum.sha256(other)), "one ulp of a double");
        assertFalse(StateChecksum.sha256(asFloats).equals(StateChecksum.sha256(asDoubles)), "float and double zeros of the same bytes");
    }

    @Test
    void restoringADoubleLeafCopiesIntoTheLiveBufferAndChecksItsShape() {
        StateTree live = new StateTree();
        double[] x = live.putDoubles("m/x", new double[4], 2, 2);
        StateTree saved = new StateTree();
        saved.putDoubles("m/x", Fixtures.awkwardDoubles(4, 7), 2, 2);
        live.restoreFrom(saved);
        assertArrayEquals(Fixtures.bits(saved.doubles("m/x")), Fixtures.bits(x), "restored in place");
        assertTrue(live.doubles("m/x") == x);
        StateTree wrong = new StateTree();
        wrong.putDoubles("m/x", new double[4], 4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> live.restoreFrom(wrong));
        assertTrue(e.getMessage().contains("has shape [4] but the job expects [2, 2]"), e.getMessage());
    }

    @Test
    void leavesLargerThanThePartSizeAreSplitAndReassembled() throws Exception {
        StateTree tree = new StateTree();
        tree.putFloats("params/embed", Fixtures.awkwardFloats(3 * 4, 5), 3, 4);
        tree.putLongs("loader/order", 1, 2, 3, 4, 5, 6, 7);
        tree.putFloats("params/small", Fixtures.awkwardFloats(5, 6));
        Path file = dir.resolve("split.h5");
        Checkpoint.write(tree, file, Map.of(), 5);

        assertSameTree(tree, Checkpoint.read(file).tree());
        try (HdfFile h = new HdfFile(file)) {
            Group embed = (Group) h.getByPath("params/embed");
            assertEquals(Set.of("part0", "part1", "part2"), embed.getChildren().keySet());
            assertEquals(5, h.getDatasetByPath("params/embed/part0").getDimensions()[0]);
            assertEquals(2, h.getDatasetByPath("params/embed/part2").getDimensions()[0]);
            assertArrayEquals(new long[] {3, 4}, (long[]) embed.getAttribute("dopt_shape").getData());
            assertEquals(4, ((Group) h.getByPath("loader/order")).getChildren().size(), "longs split at half the float count");
            assertEquals(5, h.getDatasetByPath("params/small").getDimensions()[0], "at the limit: one dataset");
        }
    }

    @Test
    void writeLeavesNoTemporaryFileAndReplacesAnExistingCheckpoint() throws Exception {
        Path file = dir.resolve("ckpt-000001.h5");
        Checkpoint.write(Fixtures.sampleTree(), file, attrs(1));
        assertEquals(List.of(), Fixtures.tmpFiles(dir));

        StateTree second = new StateTree();
        second.putFloats("params/w", new float[] {1f, 2f});
        Checkpoint.write(second, file, attrs(2));
        assertEquals(List.of(), Fixtures.tmpFiles(dir));
        Checkpoint.Loaded loaded = Checkpoint.read(file);
        assertSameTree(second, loaded.tree());
        assertEquals("2", loaded.attributes().get("step"));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path file = dir.resolve("ckpt-000005.h5");
        Path other = dir.resolve("ckpt-000004.h5");
        Checkpoint.write(Fixtures.sampleTree(), file, attrs(5));
        Checkpoint.write(Fixtures.sampleTree(), other, attrs(4));
        byte[] before = Files.readAllBytes(file), otherBefore = Files.readAllBytes(other);

        StateTree conflicting = new StateTree();
        conflicting.putFloats("params/w", new float[] {1f});
        conflicting.putFloats("params/w/bias", new float[] {2f});
        IOException e = assertThrows(IOException.class, () -> Checkpoint.write(conflicting, file, attrs(6)));
        assertTrue(e.getMessage().startsWith("cannot write checkpoint " + file), e.getMessage());
        assertTrue(e.getMessage().contains("conflict"), e.getMessage());

        assertEquals(List.of(), Fixtures.tmpFiles(dir));
        assertArrayEquals(before, Files.readAllBytes(file), "the previous checkpoint at the same path is intact");
        assertArrayEquals(otherBefore, Files.readAllBytes(other), "other checkpoints are never touched");
    }

    @Test
    void aWriteThatJhdfRejectsLeavesNoTemporaryFile() throws Exception {
        StateTree tree = new StateTree();
        tree.putString("job", "nul\0inside");
        Path file = dir.resolve("nul.h5");
        IOException e = assertThrows(IOException.class, () -> Checkpoint.write(tree, file, Map.of()));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("NUL"), e.getMessage());
        assertFalse(Files.exists(file));
        assertEquals(List.of(), Fixtures.tmpFiles(dir));
    }

    @Test
    void anUnwritableLocationIsAnIOExceptionNamingTheFile() throws Exception {
        Path notADir = Files.writeString(dir.resolve("a-file"), "x");
        Path file = notADir.resolve("ckpt-000001.h5");
        IOException e = assertThrows(IOException.class, () -> Checkpoint.write(Fixtures.sampleTree(), file, Map.of()));
        assertTrue(e.getMessage().startsWith("cannot write checkpoint " + file + ": "), e.getMessage());
    }

    /** Text lives in the global heap, so a value of any length is an attribute (jhdf's fixed-length ones broke past 59 KB). */
    @Test
    void longAttributeValuesRoundTrip() throws Exception {
        String longJob = "{\"layers\": [" + "\"dense\", ".repeat(20_000) + "\"out\"]}";
        Map<String, String> a = attrs(7);
        a.put("job", longJob);
        Path file = dir.resolve("ckpt-000007.h5");
        Checkpoint.write(Fixtures.sampleTree(), file, a);
        Checkpoint.Loaded loaded = Checkpoint.read(file);
        assertEquals(longJob, loaded.attributes().get("job"));
        assertEquals("7", loaded.attributes().get("step"));
        assertSameTree(Fixtures.sampleTree(), loaded.tree());
    }

    @Test
    void numbersAreStoredAsNumbersAndReadBackAsTextToo() throws Exception {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("step", 300L);
        a.put("ranks", 4);
        a.put("lr", 0.001);
        a.put("job_name", "demo ✓");
        Path file = dir.resolve("ckpt-000300.h5");
        Checkpoint.write(Fixtures.sampleTree(), file, a);
        Checkpoint.Loaded loaded = Checkpoint.read(file);
        assertEquals(300L, loaded.values().get("step"));
        assertEquals(4L, loaded.values().get("ranks"), "an Integer is stored as int64");
        assertEquals(0.001, loaded.values().get("lr"));
        assertEquals("demo ✓", loaded.values().get("job_name"));
        assertEquals("300", loaded.attributes().get("step"), "callers reading text see what they saw before");
        assertEquals("0.001", loaded.attributes().get("lr"));
        assertEquals(300L, loaded.longValue("step"));
        try (HdfFile h = new HdfFile(file)) {
            assertEquals(300L, h.getAttribute("step").getData(), "int64 in the file");
            assertEquals("demo ✓", h.getAttribute("job_name").getData());
        }
        assertThrows(IOException.class, () -> Checkpoint.write(new StateTree(), dir.resolve("x.h5"), Map.of("when", Instant.now())));
    }

    /** The checksum covers the tree, not the attributes: typing the attributes cannot invalidate old checkpoints. */
    @Test
    void theChecksumIgnoresTheAttributesAndTheirTypes() throws Exception {
        Path text = dir.resolve("text.h5"), typed = dir.resolve("typed.h5");
        Checkpoint.write(Fixtures.sampleTree(), text, Map.of("step", "5", "ranks", "2"));
        Checkpoint.write(Fixtures.sampleTree(), typed, Map.of("step", 5L, "ranks", 2L, "extra", 1.5));
        String sum = StateChecksum.sha256(Fixtures.sampleTree());
        assertEquals(sum, Checkpoint.read(text).attributes().get("checksum_sha256"));
        assertEquals(sum, Checkpoint.read(typed).attributes().get("checksum_sha256"));
    }

    /** Written by dopt before attributes were typed (see {@link Fixtures#OLD_OUTPUTS}): every attribute a fixed-length string. */
    @Test
    void aCheckpointWithTextAttributesStillLoadsAndVerifies() throws Exception {
        Checkpoint.Loaded old = Checkpoint.read(Fixtures.OLD_OUTPUTS.resolve("ckpt-000005.h5"));
        assertEquals("5", old.attributes().get("step"));
        assertEquals("5", old.values().get("step"), "stored as text");
        assertEquals(5L, old.longValue("step"));
        assertEquals(2L, old.longValue("ranks"));
        assertEquals("old-format", old.attributes().get("job_name"));
        // read() verified the stored checksum on the tree as written; the tree it returns is migrated to the
        // current format (role paths), so its own checksum differs from the stored one
        assertTrue(old.attributes().get("checksum_sha256").matches("[0-9a-f]{64}"));
        assertEquals(10, old.tree().floats("trace/bytes_sent").length, "5 steps x 2 ranks of float32 counts");
    }

    @Test
    void theLongAttributeGroupIsNotAStatePath() {
        StateTree t = new StateTree();
        t.putFloats("dopt_attributes/x", new float[] {1f});
        IOException e = assertThrows(IOException.class, () -> Checkpoint.write(t, dir.resolve("x.h5"), Map.of()));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
    }

    @Test
    void reservedAttributeNamesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.write(new StateTree(), dir.resolve("x.h5"), Map.of("checksum_sha256", "0")));
    }

    @Test
    void anEmptyTreeRoundTrips() throws Exception {
        Path file = dir.resolve("empty.h5");
        Checkpoint.write(new StateTree(), file, Map.of("step", "0"));
        assertTrue(Checkpoint.read(file).tree().leaves().isEmpty());
    }

    @Test
    void fileNameMatchesTheTrainerConvention() {
        assertEquals("ckpt-000100.h5", Checkpoint.fileName("ckpt-", 100));
        assertEquals("ckpt-1234567.h5", Checkpoint.fileName("ckpt-", 1234567));
    }
}
