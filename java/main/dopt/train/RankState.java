package dopt.train;

import dopt.state.StateTree;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The leaves of the state tree that belong to one rank (everything under {@code ranks/<r>/}: its
 * RNG, loader position, error-feedback buffers), as bytes to gather on rank 0 for the checkpoint.
 *
 * <p>The message is the number of leaves, then per leaf its path, a kind tag and its numbers. It
 * comes from another rank, so {@link #decodeInto} trusts none of it: an unknown tag, a length the
 * rest of the message cannot hold, a path outside the sender's own subtree or given twice, a
 * truncated message or bytes after the last leaf throw {@link IllegalArgumentException} naming the
 * problem, before anything is allocated at a claimed size and before anything is put in the tree.
 */
final class RankState {
    private RankState() { }

    private static final byte FLOATS = 1, LONGS = 2, DOUBLES = 3;

    static byte[] encode(StateTree tree, String prefix) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); DataOutputStream out = new DataOutputStream(bytes)) {
            int count = 0;
            for (String path : tree.leaves().keySet()) if (path.startsWith(prefix)) count++;
            out.writeInt(count);
            for (Map.Entry<String, StateTree.Leaf> e : tree.leaves().entrySet()) {
                if (!e.getKey().startsWith(prefix)) continue;
                out.writeUTF(e.getKey());
                if (e.getValue() instanceof StateTree.FloatLeaf f) {
                    out.writeByte(FLOATS);
                    out.writeInt(f.shape().length);
                    for (int d : f.shape()) out.writeInt(d);
                    for (float v : f.data()) out.writeInt(Float.floatToRawIntBits(v));
                } else if (e.getValue() instanceof StateTree.DoubleLeaf d) {
                    out.writeByte(DOUBLES);
                    out.writeInt(d.shape().length);
                    for (int n : d.shape()) out.writeInt(n);
                    for (double v : d.data()) out.writeLong(Double.doubleToRawLongBits(v));
                } else if (e.getValue() instanceof StateTree.LongLeaf l) {
                    out.writeByte(LONGS);
                    out.writeInt(l.data().length);
                    for (long v : l.data()) out.writeLong(v);
                } else {
                    throw new IllegalStateException("rank state '" + e.getKey() + "' must be numbers");
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    /**
     * Adds the leaves of {@code message} to {@code tree}; every path must start with {@code prefix}
     * (the sender's own subtree, e.g. {@code "ranks/3/"}). The whole message is read and checked
     * before the first leaf goes into the tree.
     */
    static void decodeInto(byte[] message, StateTree tree, String prefix) {
        StateTree leaves = new StateTree();
        Reader in = new Reader(message);
        try {
            // a leaf takes at least a path length (2 bytes), a tag and a length or rank (4)
            int count = in.count("leaves", 2 + 1 + 4);
            Set<String> seen = new HashSet<>();
            for (int k = 0; k < count; k++) {
                String path = in.data.readUTF();
                if (!path.startsWith(prefix)) throw in.malformed("leaf '" + path + "' lies outside " + prefix);
                if (!seen.add(path)) throw in.malformed("leaf '" + path + "' comes twice");
                byte kind = in.data.readByte();
                if (kind == FLOATS) {
                    int[] shape = in.shape(path, 4);
                    float[] v = new float[in.elements(shape)];
                    for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(in.data.readInt());
                    leaves.putFloats(path, v, shape);
                } else if (kind == DOUBLES) {
                    int[] shape = in.shape(path, 8);
                    double[] v = new double[in.elements(shape)];
                    for (int i = 0; i < v.length; i++) v[i] = Double.longBitsToDouble(in.data.readLong());
                    leaves.putDoubles(path, v, shape);
                } else if (kind == LONGS) {
                    long[] v = new long[in.count("longs of '" + path + "'", 8)];
                    for (int i = 0; i < v.length; i++) v[i] = in.data.readLong();
                    leaves.putLongs(path, v);
                } else {
                    throw in.malformed("leaf '" + path + "' has the unknown kind tag " + kind);
                }
            }
            if (in.remaining() != 0) throw in.malformed(in.remaining() + " bytes after the last of its " + count + " leaves");
        } catch (EOFException e) {
            throw in.malformed("it ends early");
        } catch (UTFDataFormatException e) {
            throw in.malformed("a path is not valid modified UTF-8");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Malformed e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // StateTree's own refusal (a bad path), said as a fault of the message
            throw in.malformed(e.getMessage());
        }
        for (Map.Entry<String, StateTree.Leaf> e : leaves.leaves().entrySet()) {
            if (e.getValue() instanceof StateTree.FloatLeaf f) tree.putFloats(e.getKey(), f.data(), f.shape());
            else if (e.getValue() instanceof StateTree.DoubleLeaf d) tree.putDoubles(e.getKey(), d.data(), d.shape());
            else tree.putLongs(e.getKey(), ((StateTree.LongLeaf) e.getValue()).data());
        }
    }

    /** The message as a stream that knows how much of it is left, so no claimed length exceeds what remains. */
    private static final class Reader {
        final int length;
        final DataInputStream data;

        Reader(byte[] message) {
            this.length = message.length;
            this.data = new DataInputStream(new ByteArrayInputStream(message));
        }

        int remaining() {
            try {
                return data.available();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A count of items of at least {@code bytesEach} bytes each, which the rest of the message must be able to hold. */
        int count(String what, int bytesEach) throws IOException {
            int n = data.readInt();
            if (n < 0 || (long) n * bytesEach > remaining())
                throw malformed("it claims " + n + " " + what + " but holds " + remaining() + " more bytes");
            return n;
        }

        int[] shape(String path, int bytesEach) throws IOException {
            int[] shape = new int[count("dimensions of '" + path + "'", 4)];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = data.readInt();
                if (shape[i] < 0) throw malformed("leaf '" + path + "' has the negative dimension " + shape[i]);
            }
            long n = 1;
            for (int d : shape) {
                n *= d;
                if (n > remaining() / bytesEach)
                    throw malformed("leaf '" + path + "' claims shape " + java.util.Arrays.toString(shape) + " but holds "
                            + remaining() + " more bytes");
            }
            return shape;
        }

        int elements(int[] shape) {
            long n = 1;
            for (int d : shape) n *= d;
            return (int) n;
        }

        Malformed malformed(String why) {
            return new Malformed("malformed rank state (" + length + " bytes, at byte " + (length - remaining()) + "): " + why);
        }
    }

    /** The refusal of a message; an {@link IllegalArgumentException} to callers. */
    private static final class Malformed extends IllegalArgumentException {
        Malformed(String message) { super(message); }
    }
}
