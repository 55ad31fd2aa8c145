package dopt.io;

import dopt.state.StateTree;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * SHA-256 of a state tree's logical contents, independent of how the HDF5 file lays them out.
 *
 * <p>For each leaf in insertion order: the path (int32 byte length, UTF-8 bytes), a type tag byte
 * ('F' float32, 'D' float64, 'L' int64, 'S' string), the rank (int32) and every dimension (int64),
 * then the raw data: float or double bits as stored (so NaN payloads and -0.0 count), longs, or the
 * UTF-8 string.
 * All numbers are little-endian. Length prefixes keep two different trees from hashing the same
 * byte stream.
 */
final class StateChecksum {
    private static final int BUFFER_BYTES = 1 << 16;

    private final MessageDigest digest;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private StateChecksum() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** Lower-case hex SHA-256 of {@code tree}. */
    static String sha256(StateTree tree) {
        StateChecksum c = new StateChecksum();
        for (Map.Entry<String, StateTree.Leaf> e : tree.leaves().entrySet()) c.leaf(e.getKey(), e.getValue());
        return c.finish();
    }

    private void leaf(String path, StateTree.Leaf leaf) {
        bytes(path.getBytes(StandardCharsets.UTF_8), true);
        if (leaf instanceof StateTree.FloatLeaf f) {
            room(1).put((byte) 'F');
            shape(f.shape());
            for (float v : f.data()) room(4).putInt(Float.floatToRawIntBits(v));
        } else if (leaf instanceof StateTree.DoubleLeaf d) {
            room(1).put((byte) 'D');
            shape(d.shape());
            for (double v : d.data()) room(8).putLong(Double.doubleToRawLongBits(v));
        } else if (leaf instanceof StateTree.LongLeaf l) {
            room(1).put((byte) 'L');
            shape(new int[] {l.data().length});
            for (long v : l.data()) room(8).putLong(v);
        } else if (leaf instanceof StateTree.StringLeaf s) {
            byte[] utf8 = s.value().getBytes(StandardCharsets.UTF_8);
            room(1).put((byte) 'S');
            shape(new int[] {utf8.length});
            bytes(utf8, false);
        } else {
            throw new IllegalArgumentException("unknown leaf type " + leaf.getClass().getName() + " at " + path);
        }
    }

    private void shape(int[] shape) {
        room(4).putInt(shape.length);
        for (int d : shape) room(8).putLong(d);
    }

    private void bytes(byte[] b, boolean withLength) {
        if (withLength) room(4).putInt(b.length);
        flush();
        digest.update(b);
    }

    private ByteBuffer room(int n) {
        if (buf.remaining() < n) flush();
        return buf;
    }

    private void flush() {
        digest.update(buf.array(), 0, buf.position());
        buf.clear();
    }

    private String finish() {
        flush();
        return HexFormat.of().formatHex(digest.digest());
    }
}
