package dopt.train;

import dopt.state.StateTree;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The leaves of the state tree that belong to one rank (everything under {@code ranks/<r>/}: its
 * RNG, loader position, error-feedback buffers), as bytes to gather on rank 0 for the checkpoint.
 */
final class RankState {
    private RankState() { }

    private static final byte FLOATS = 1, LONGS = 2, DOUBLES = 3;

    static byte[] encode(StateTree tree, String prefix) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); DataOutputStream out = new DataOutputStream(bytes)) {
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

    static void decodeInto(byte[] message, StateTree tree) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
            while (in.available() > 0) {
                String path = in.readUTF();
                byte kind = in.readByte();
                if (kind == FLOATS) {
                    int[] shape = new int[in.readInt()];
                    int n = 1;
                    for (int i = 0; i < shape.length; i++) n *= shape[i] = in.readInt();
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat(in.readInt());
                    tree.putFloats(path, v, shape);
                } else if (kind == DOUBLES) {
                    int[] shape = new int[in.readInt()];
                    int n = 1;
                    for (int i = 0; i < shape.length; i++) n *= shape[i] = in.readInt();
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) v[i] = Double.longBitsToDouble(in.readLong());
                    tree.putDoubles(path, v, shape);
                } else {
                    long[] v = new long[in.readInt()];
                    for (int i = 0; i < v.length; i++) v[i] = in.readLong();
                    tree.putLongs(path, v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
