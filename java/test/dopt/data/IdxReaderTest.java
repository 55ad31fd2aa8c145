package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir Path dir;

    /** An IDX image file: magic 0x803, count, rows, cols (big-endian, as ByteBuffer writes by default), pixels. */
    private static byte[] images(int n, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(n).putInt(rows).putInt(cols).put(pixels).array();
    }

    private static byte[] labels(int n, byte[] body) {
        return ByteBuffer.allocate(8 + body.length).putInt(0x801).putInt(n).put(body).array();
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void plainAndGzipFilesReadTheSameFromStreamsAndPaths() throws Exception {
        byte[] px = {0, (byte) 255, (byte) 128, 1, 2, 3, 4, 5, 6, 7, 8, 9}; // 2 images of 2×3
        byte[] img = images(2, 2, 3, px), lab = labels(2, new byte[] {7, (byte) 200});
        Files.write(dir.resolve("i"), img);
        Files.write(dir.resolve("i.gz"), gzip(img));
        Files.write(dir.resolve("l.gz"), gzip(lab));
        int[] dims = new int[2];
        float[] x = IdxReader.images(new ByteArrayInputStream(img), "mem", dims);
        assertArrayEquals(new int[] {2, 6}, dims);
        assertEquals(0f, x[0]);
        assertEquals(1f, x[1]);
        assertEquals(128 / 255f, x[2]);
        assertArrayEquals(x, IdxReader.images(dir.resolve("i"), new int[2]));
        assertArrayEquals(x, IdxReader.images(dir.resolve("i.gz"), new int[2]), "gzip recognised by its magic bytes");
        assertArrayEquals(new int[] {7, 200}, IdxReader.labels(new ByteArrayInputStream(lab), "mem"), "labels are unsigned bytes");
        assertArrayEquals(new int[] {7, 200}, IdxReader.labels(dir.resolve("l.gz")));
    }

    @Test
    void malformedFilesAreIOExceptionsNamingTheSource() throws Exception {
        byte[] lab = labels(3, new byte[] {1, 2, 3});
        String[] messages = {
                // a label file read as images, and the reverse
                assertThrows(IOException.class, () -> IdxReader.images(new ByteArrayInputStream(lab), "src-a", new int[2])).getMessage(),
                assertThrows(IOException.class, () -> IdxReader.labels(new ByteArrayInputStream(images(1, 1, 1, new byte[1])), "src-b")).getMessage(),
                // a header cut short, a body cut short
                assertThrows(IOException.class, () -> IdxReader.labels(new ByteArrayInputStream(Arrays.copyOf(lab, 6)), "src-c")).getMessage(),
                assertThrows(IOException.class, () -> IdxReader.labels(new ByteArrayInputStream(Arrays.copyOf(lab, 10)), "src-d")).getMessage(),
                // dimensions whose product overflows an int, and a count no array can hold
                assertThrows(IOException.class, () -> IdxReader.images(new ByteArrayInputStream(images(2, 65536, 65536, new byte[0])), "src-e", new int[2])).getMessage(),
                assertThrows(IOException.class, () -> IdxReader.images(new ByteArrayInputStream(images(-1, 28, 28, new byte[0])), "src-f", new int[2])).getMessage(),
                // a huge but representable count on a tiny file fails as truncated, without allocating 2 GB first
                assertThrows(IOException.class, () -> IdxReader.labels(new ByteArrayInputStream(labels(Integer.MAX_VALUE - 16, new byte[4])), "src-g")).getMessage(),
                // garbage that is neither IDX nor gzip
                assertThrows(IOException.class, () -> IdxReader.images(new ByteArrayInputStream("hello, world".getBytes()), "src-h", new int[2])).getMessage()};
        assertTrue(messages[0].contains("not an IDX image file"), messages[0]);
        assertTrue(messages[1].contains("not an IDX label file"), messages[1]);
        assertTrue(messages[2].contains("truncated IDX header"), messages[2]);
        assertTrue(messages[3].contains("promises 3 data bytes, found 2"), messages[3]);
        assertTrue(messages[6].contains("truncated"), messages[6]);
        for (int i = 0; i < messages.length; i++) assertTrue(messages[i].startsWith("src-" + (char) ('a' + i)), messages[i]);
    }

    @Test
    void mnistRefusesLabelsThatAreNotDigits() throws Exception {
        byte[] img = images(1, 1, 1, new byte[1]);
        Files.write(dir.resolve("train-images-idx3-ubyte"), img);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), img);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels(1, new byte[] {3}));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(1, new byte[] {10}));
        IOException e = assertThrows(IOException.class, () -> Mnist.fromDirectory(dir));
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamedEvenWhenTheDirectoryExists() throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), images(0, 1, 1, new byte[0]));
        MissingDataException e = assertThrows(MissingDataException.class, () -> Mnist.fromDirectory(dir));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte") && e.getMessage().contains("./dopt setup --data mnist"), e.getMessage());
    }

    /**
     * The README's claim that the embedded slice is the first 6 000 / 1 000 digits of the full set,
     * checked wherever the full set is installed (skipped otherwise).
     */
    @Test
    void theEmbeddedSliceIsAPrefixOfTheFullSet() throws Exception {
        Path full = Mnist.defaultFullDirectory(Path.of(System.getProperty("dopt.repo", ".")));
        assumeTrue(Files.isDirectory(full), "full MNIST not installed at " + full);
        Dataset[] all = Mnist.fromDirectory(full), slice = Mnist.embedded();
        assertEquals(60000, all[0].n());
        assertEquals(10000, all[1].n());
        for (int s = 0; s < 2; s++) {
            int n = slice[s].n();
            assertArrayEquals(Arrays.copyOf(all[s].y(), n), slice[s].y());
            assertArrayEquals(Arrays.copyOf(all[s].x(), n * 784), slice[s].x());
        }
    }
}
