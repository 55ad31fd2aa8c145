package dopt.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (LeCun's MNIST format: big-endian magic 0x0803 for 3-D unsigned bytes, 0x0801
 * for 1-D, then the dimension sizes, then the data), plain or gzip-compressed.
 */
public final class IdxReader {
    private IdxReader() { }

    /** Images as floats in [0, 1]; returns {count, rows·cols} via {@code dims} and the pixels. */
    public static float[] images(InputStream raw, String source, int[] dims) throws IOException {
        try (DataInputStream in = open(raw)) {
            int magic = in.readInt();
            if (magic != 0x00000803) throw new IOException(source + ": not an IDX image file (magic 0x" + Integer.toHexString(magic) + ")");
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (n < 0 || rows < 1 || cols < 1) throw new IOException(source + ": bad IDX dimensions " + n + "x" + rows + "x" + cols);
            byte[] bytes = new byte[Math.multiplyExact(n, rows * cols)];
            in.readFully(bytes);
            float[] x = new float[bytes.length];
            for (int i = 0; i < bytes.length; i++) x[i] = (bytes[i] & 0xFF) / 255f;
            dims[0] = n;
            dims[1] = rows * cols;
            return x;
        }
    }

    /** Labels as ints. */
    public static int[] labels(InputStream raw, String source) throws IOException {
        try (DataInputStream in = open(raw)) {
            int magic = in.readInt();
            if (magic != 0x00000801) throw new IOException(source + ": not an IDX label file (magic 0x" + Integer.toHexString(magic) + ")");
            int n = in.readInt();
            if (n < 0) throw new IOException(source + ": bad IDX label count " + n);
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) y[i] = bytes[i] & 0xFF;
            return y;
        }
    }

    private static DataInputStream open(InputStream raw) throws IOException {
        BufferedInputStream b = new BufferedInputStream(raw, 1 << 16);
        b.mark(2);
        int b0 = b.read(), b1 = b.read();
        b.reset();
        return new DataInputStream(b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(b, 1 << 16)) : b);
    }
}
