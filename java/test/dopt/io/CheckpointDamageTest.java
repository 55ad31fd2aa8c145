package dopt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointDamageTest {
    @TempDir Path dir;

    private Path valid(String name) throws Exception {
        Path file = dir.resolve(name);
        Checkpoint.write(Fixtures.sampleTree(), file, Map.of("step", name.replaceAll("\\D", "")));
        return file;
    }

    private static String failure(Path file) {
        return assertThrows(CheckpointException.class, () -> Checkpoint.read(file)).getMessage();
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("ckpt-000007.h5");
        assertEquals("checkpoint " + file + " does not exist", failure(file));
    }

    @Test
    void aFileCutInHalfIsReportedAsTruncated() throws Exception {
        Path file = valid("ckpt-000010.h5");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        String m = failure(file);
        assertTrue(m.startsWith("checkpoint " + file + " is truncated or not an HDF5 file (" + bytes.length / 2 + " bytes): "), m);
    }

    @Test
    void emptyAndNonHdf5FilesAreRefused() throws Exception {
        Path empty = Files.write(dir.resolve("empty.h5"), new byte[0]);
        assertTrue(failure(empty).contains("is truncated or not an HDF5 file (0 bytes)"), failure(empty));
        Path text = Files.writeString(dir.resolve("text.h5"), "{\"this is\": \"json\"}\n".repeat(100));
        assertTrue(failure(text).contains("truncated or not an HDF5 file") && failure(text).contains("no HDF5 signature"), failure(text));
    }

    @Test
    void onceFlippedByteInFloatDataFailsTheChecksum() throws Exception {
        Path file = valid("ckpt-000020.h5");
        Fixtures.flipMarkerByte(file);
        String m = failure(file);
        assertTrue(m.startsWith("checkpoint " + file + " is corrupted: checksum mismatch (stored "), m);
        assertTrue(m.contains(", computed "), m);
    }

    @Test
    void aTraceIsNotACheckpoint() throws Exception {
        Path file = dir.resolve("trace.h5");
        Trace.write(file, new TraceData(new long[] {1}, Map.of("loss", new TraceData.Floats(new float[][] {{1f}}, "")),
                TraceData.Evaluations.NONE), Map.of());
        assertEquals("checkpoint " + file + " has format '" + Trace.FORMAT + "', expected '" + Checkpoint.FORMAT + "'", failure(file));
    }

    @Test
    void latestValidSkipsTheCorruptedNewestAndIgnoresTemporaryFiles() throws Exception {
        valid("ckpt-000010.h5");
        Path older = valid("ckpt-000020.h5");
        Path corrupted = valid("ckpt-000030.h5");
        Fixtures.flipMarkerByte(corrupted);
        Path truncated = valid("ckpt-000025.h5");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(truncated), 100));
        Files.writeString(dir.resolve("ckpt-000040.h5.tmp"), "half-written");
        Files.writeString(dir.resolve(".ckpt-000050.h5.1234.tmp"), "half-written");
        Files.writeString(dir.resolve("notes.txt"), "not a checkpoint");
        valid("other-000090.h5");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        Optional<Path> latest;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            latest = Checkpoint.latestValid(dir, "ckpt-");
        } finally {
            System.setErr(saved);
        }
        assertEquals(Optional.of(older), latest);
        String warnings = err.toString(StandardCharsets.UTF_8);
        assertTrue(warnings.contains("skipping ckpt-000030.h5: checkpoint " + corrupted + " is corrupted: checksum mismatch"), warnings);
        assertTrue(warnings.contains("skipping ckpt-000025.h5: checkpoint " + truncated + " is truncated"), warnings);
        assertEquals(2, warnings.lines().count(), "only the two damaged files are reported: " + warnings);
        assertTrue(!warnings.contains(".tmp"), "temporary files are not even tried: " + warnings);
    }

    @Test
    void latestValidOrdersByStepNumberNotByName() throws Exception {
        valid("ckpt-99.h5");
        Path newest = valid("ckpt-100.h5");
        assertEquals(Optional.of(newest), Checkpoint.latestValid(dir, "ckpt-"));
    }

    @Test
    void latestValidOfAMissingOrEmptyDirectoryIsEmpty() {
        assertEquals(Optional.empty(), Checkpoint.latestValid(dir.resolve("nope"), "ckpt-"));
        assertEquals(Optional.empty(), Checkpoint.latestValid(dir, "ckpt-"));
    }
}
