package dopt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.state.StateTree;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankStateTest {

    private static StateTree sample() {
        StateTree tree = new StateTree();
        tree.putFloats("ranks/1/buffers/ef", new float[] {1.5f, -0.0f, Float.intBitsToFloat(0x7fc00123)}, 3);
        tree.putDoubles("ranks/1/markov/x", new double[] {-0.0, Double.longBitsToDouble(0x7ff8000000000123L), 1e-310, 2, 3, 4}, 2, 3);
        tree.putLongs("ranks/1/rng", Long.MIN_VALUE, -1);
        tree.putFloats("params/w", new float[] {9f});
        return tree;
    }

    @Test
    void aRanksFloatDoubleAndLongLeavesTravelBitExactly() {
        StateTree tree = sample();
        StateTree back = new StateTree();
        RankState.decodeInto(RankState.encode(tree, "ranks/1/"), back, "ranks/1/");
        assertEquals(List.of("ranks/1/buffers/ef", "ranks/1/markov/x", "ranks/1/rng"), List.copyOf(back.leaves().keySet()));
        assertArrayEquals(new int[] {2, 3}, back.shape("ranks/1/markov/x"));
        double[] x = tree.doubles("ranks/1/markov/x"), y = back.doubles("ranks/1/markov/x");
        for (int i = 0; i < x.length; i++) assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), "x[" + i + "]");
        assertEquals(0x7fc00123, Float.floatToRawIntBits(back.floats("ranks/1/buffers/ef")[2]));
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1}, back.longs("ranks/1/rng"));
    }

    /** Decoding fails with a clear message containing {@code reason}, and the target tree stays empty. */
    private static void assertRefused(byte[] message, String prefix, String reason) {
        StateTree into = new StateTree();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RankState.decodeInto(message, into, prefix), reason);
        assertTrue(e.getMessage().startsWith("malformed rank state") && e.getMessage().contains(reason), e.getMessage());
        assertTrue(into.leaves().isEmpty(), "nothing put into the tree: " + into.leaves().keySet());
    }

    /** A message with one leaf: count 1, the path, then the given tag and body. */
    private static byte[] oneLeaf(String path, int tag, int... ints) {
        byte[] p = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + p.length + 1 + 4 * ints.length);
        b.putInt(1).putShort((short) p.length).put(p).put((byte) tag);
        for (int v : ints) b.putInt(v);
        return b.array();
    }

    @Test
    void anUnknownKindTagIsRefused() {
        assertRefused(oneLeaf("ranks/1/x", 7, 1, 0, 0), "ranks/1/", "unknown kind tag 7");
    }

    @Test
    void lengthsTheMessageCannotHoldAreRefusedWithoutAllocatingThem() {
        assertRefused(oneLeaf("ranks/1/x", 2, Integer.MAX_VALUE), "ranks/1/", "claims 2147483647 longs of 'ranks/1/x' but holds 0 more bytes");
        assertRefused(oneLeaf("ranks/1/x", 1, 2, 1 << 30, 1 << 30), "ranks/1/", "claims shape [1073741824, 1073741824]");
        assertRefused(oneLeaf("ranks/1/x", 3, Integer.MAX_VALUE), "ranks/1/", "claims 2147483647 dimensions");
        assertRefused(oneLeaf("ranks/1/x", 1, 1, -4), "ranks/1/", "negative dimension -4");
        assertRefused(ByteBuffer.allocate(4).putInt(1 << 30).array(), "ranks/1/", "claims 1073741824 leaves");
    }

    @Test
    void everyTruncationAndTrailingBytesAreRefused() {
        byte[] whole = RankState.encode(sample(), "ranks/1/");
        for (int cut = 0; cut < whole.length; cut++) {
            StateTree into = new StateTree();
            byte[] part = Arrays.copyOf(whole, cut);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RankState.decodeInto(part, into, "ranks/1/"),
                    "cut at " + cut + " of " + whole.length);
            assertTrue(e.getMessage().startsWith("malformed rank state"), e.getMessage());
            assertTrue(into.leaves().isEmpty(), "cut at " + cut + ": nothing put into the tree");
        }
        assertRefused(Arrays.copyOf(whole, whole.length + 3), "ranks/1/", "3 bytes after the last of its 3 leaves");
    }

    @Test
    void aLeafOutsideTheSendersSubtreeOrTwiceIsRefused() {
        StateTree other = new StateTree();
        other.putFloats("params/w", new float[] {1f});
        assertRefused(RankState.encode(other, "params/"), "ranks/1/", "leaf 'params/w' lies outside ranks/1/");
        assertRefused(RankState.encode(sample(), "ranks/1/"), "ranks/2/", "lies outside ranks/2/");
        byte[] one = oneLeaf("ranks/1/n", 2, 0);
        ByteBuffer twice = ByteBuffer.allocate(2 * one.length - 4).putInt(2).put(one, 4, one.length - 4).put(one, 4, one.length - 4);
        assertRefused(twice.array(), "ranks/1/", "leaf 'ranks/1/n' comes twice");
    }

    @Test
    void garbageGivesTheClearRefusalAndNothingElse() {
        Rng rng = new Rng(17);
        byte[] whole = RankState.encode(sample(), "ranks/1/");
        for (int trial = 0; trial < 2000; trial++) {
            byte[] m = whole.clone();
            // flip a few bytes of an honest message, so most garbage gets past the first checks
            for (int f = 0; f <= trial % 4; f++) m[rng.nextInt(m.length)] = (byte) rng.nextInt(256);
            StateTree into = new StateTree();
            try {
                RankState.decodeInto(m, into, "ranks/1/");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("malformed rank state"), "trial " + trial + ": " + e.getMessage());
                assertTrue(into.leaves().isEmpty());
            }
        }
    }
}
