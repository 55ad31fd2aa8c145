package dopt.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (LeCun's MNIST format, http://yann.lecun.com/exdb/mnist/: big-endian magic
 * 0x00000803 for 3-D unsigned bytes, 0x00000801 for 1-D, then the dimension sizes, then the data),
 * plain or gzip-compressed (recognised by the gzip magic bytes 1f 8b, not by the file name).
 * Every malformed header or short body is an {@link IOException} naming the source.
 */
public final class IdxReader {
    private IdxReader() { }

    static final int IMAGES_MAGIC = 0x00000803, LABELS_MAGIC = 0x00000801;

    /** Images as floats in [0, 1]; sets {@code dims} to {count, rows·cols}. */
    public static float[] images(Path file, int[] dims) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return images(in, file.toString(), dims);
        }
    }

    /** Labels as ints. */
    public static int[] labels(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return labels(in, file.toString());
        }
    }

    /** Images as floats in [0, 1]; sets {@code dims} to {count, rows·cols}. Closes {@code raw}. */
    public static float[] images(InputStream raw, String source, int[] dims) throws IOException {
        try (DataInputStream in = open(raw)) {
            int magic = readHeaderInt(in, source);
            if (magic != IMAGES_MAGIC) throw new IOException(source + ": not an IDX image file (magic 0x" + Integer.toHexString(magic) + ", expected 0x803)");
            int n = readHeaderInt(in, source), rows = readHeaderInt(in, source), cols = readHeaderInt(in, source);
            long total = (long) n * rows * cols;
            // the header is untrusted: reject sizes a Java array cannot hold before allocating them
            if (n < 0 || rows < 1 || cols < 1 || (long) rows * cols > Integer.MAX_VALUE || total > Integer.MAX_VALUE - 8)
                throw new IOException(source + ": bad IDX image dimensions " + n + "x" + rows + "x" + cols);
            byte[] bytes = body(in, (int) total, source);
            float[] x = new float[bytes.length];
            for (int i = 0; i < bytes.length; i++) x[i] = (bytes[i] & 0xFF) / 255f;
            dims[0] = n;
            dims[1] = rows * cols;
            return x;
        }
    }

    /** Labels as ints. Closes {@code raw}. */
    public static int[] labels(InputStream raw, String source) throws IOException {
        try (DataInputStream in = open(raw)) {
            int magic = readHeaderInt(in, source);
            if (magic != LABELS_MAGIC) throw new IOException(source + ": not an IDX label file (magic 0x" + Integer.toHexString(magic) + ", expected 0x801)");
            int n = readHeaderInt(in, source);
            if (n < 0 || n > Integer.MAX_VALUE - 8) throw new IOException(source + ": bad IDX label count " + n);
            byte[] bytes = body(in, n, source);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) y[i] = bytes[i] & 0xFF;
            return y;
        }
    }

    private static int readHeaderInt(DataInputStream in, String source) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IOException(source + ": truncated IDX header", e);
        }
    }

    /**
     * The {@code len} data bytes. readNBytes(int) grows its buffer as bytes arrive, so a corrupt
     * count on a short file fails as truncated instead of allocating what the header claims.
     */
    private static byte[] body(DataInputStream in, int len, String source) throws IOException {
        byte[] bytes = in.readNBytes(len);
        if (bytes.length < len) throw new IOException(source + ": truncated IDX file: the header promises " + len + " data bytes, found " + bytes.length);
        return bytes;
    }

    private static DataInputStream open(InputStream raw) throws IOException {
        BufferedInputStream b = new BufferedInputStream(raw, 1 << 16);
        b.mark(2);
        int b0 = b.read(), b1 = b.read();
        b.reset();
        return new DataInputStream(b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(b, 1 << 16)) : b);
    }
}
