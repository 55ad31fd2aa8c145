package dopt.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dopt.state.StateTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Trees and files the io tests share. */
final class Fixtures {
    /** A float whose bytes are unlikely anywhere else in a file, to find leaf data by search. */
    static final int MARKER_BITS = 0x3A5C7E11;

    /**
     * Outputs of dopt before attributes and counts were typed (commit ba0e727): checkpoint
     * ckpt-000005.h5 and trace.h5 of a 10-step run on 2 thread ranks (job in
     * dopt.train.OutputsForOtherToolsTest), with every root attribute a fixed-length string and the
     * byte counters float32. Readers must keep reading them.
     */
    static final java.nio.file.Path OLD_OUTPUTS = java.nio.file.Path.of("java/test-resources/dopt/old-outputs").toAbsolutePath();

    static final String JOB_JSON = "{\n  \"name\": \"mnist \\\"mlp\\\"\",\n  \"model\": {\"hidden\": [512, 512]},\n"
            + "  \"note\": \"tab\\there, ünïcødé ✓\"\n}\n";

    private Fixtures() {}

    /** Values that a careless codec changes: NaN payloads, -0.0, infinities, subnormals. */
    static float[] awkwardFloats(int n, int seed) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i * 31 + seed) * 0.37f - 5f;
        int[] special = {0x7fc00123, 0xffc00001, 0x7f800001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff};
        for (int i = 0; i < special.length && i < n; i++) v[(i * 7 + seed) % n] = Float.intBitsToFloat(special[i]);
        return v;
    }

    /** As {@link #awkwardFloats}, in double precision: NaN payloads, -0.0, infinities, subnormals. */
    static double[] awkwardDoubles(int n, int seed) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (i * 31 + seed) * 0.37 - 5 + 1e-13 * i;
        long[] special = {0x7ff8000000000123L, 0xfff0000000000001L, 0x7ff0000000000001L, 0x8000000000000000L,
                0x7ff0000000000000L, 0xfff0000000000000L, 0x0000000000000001L, 0x800fffffffffffffL};
        for (int i = 0; i < special.length && i < n; i++) v[(i * 7 + seed) % n] = Double.longBitsToDouble(special[i]);
        return v;
    }

    /** A tree with every kind of leaf, inserted out of alphabetical order. */
    static StateTree sampleTree() {
        StateTree t = new StateTree();
        t.putFloats("params/fc1.weight", awkwardFloats(12, 1), 3, 4);
        t.putFloats("params/fc1.bias", awkwardFloats(4, 2));
        t.putLongs("train/step", 100L);
        t.putFloats("optim/adam/mu/conv", awkwardFloats(12, 3), 2, 3, 2);
        t.putLongs("ranks/0/rng", Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE);
        t.putString("job", JOB_JSON);
        t.putFloats("a_marker", marker(64));
        t.putFloats("empty/floats", new float[0], 2, 0);
        t.putLongs("empty/longs");
        t.putString("empty/string", "");
        return t;
    }

    static float[] marker(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, Float.intBitsToFloat(MARKER_BITS));
        return v;
    }

    /** Same paths in the same order, same kinds, shapes and bits. */
    static void assertSameTree(StateTree expected, StateTree actual) {
        assertEquals(List.copyOf(expected.leaves().keySet()), List.copyOf(actual.leaves().keySet()), "paths in insertion order");
        for (Map.Entry<String, StateTree.Leaf> e : expected.leaves().entrySet()) {
            String p = e.getKey();
            StateTree.Leaf a = actual.get(p);
            if (e.getValue() instanceof StateTree.FloatLeaf f) {
                StateTree.FloatLeaf g = assertInstanceOf(StateTree.FloatLeaf.class, a, p);
                assertArrayEquals(f.shape(), g.shape(), p + " shape");
                assertArrayEquals(bits(f.data()), bits(g.data()), p + " raw float bits");
            } else if (e.getValue() instanceof StateTree.DoubleLeaf d) {
                StateTree.DoubleLeaf g = assertInstanceOf(StateTree.DoubleLeaf.class, a, p);
                assertArrayEquals(d.shape(), g.shape(), p + " shape");
                assertArrayEquals(bits(d.data()), bits(g.data()), p + " raw double bits");
            } else if (e.getValue() instanceof StateTree.LongLeaf l) {
                assertArrayEquals(l.data(), assertInstanceOf(StateTree.LongLeaf.class, a, p).data(), p);
            } else {
                assertEquals(((StateTree.StringLeaf) e.getValue()).value(), assertInstanceOf(StateTree.StringLeaf.class, a, p).value(), p);
            }
        }
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
        return b;
    }

    /** Flips one bit inside the marker leaf's data, which only the checksum can notice. */
    static void flipMarkerByte(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] pattern = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(MARKER_BITS).putInt(MARKER_BITS).array();
        int at = indexOf(bytes, pattern);
        if (at < 0) throw new AssertionError("marker data not found in " + file);
        bytes[at + 4 + 16] ^= 0x04; // well inside the run of 64 markers
        Files.write(file, bytes);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    static List<String> tmpFiles(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).forEach(out::add);
        }
        return out;
    }
}
