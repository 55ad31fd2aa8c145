package dopt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.state.StateTree;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankStateTest {

    @Test
    void aRanksFloatDoubleAndLongLeavesTravelBitExactly() {
        StateTree tree = new StateTree();
        tree.putFloats("ranks/1/buffers/ef", new float[] {1.5f, -0.0f, Float.intBitsToFloat(0x7fc00123)}, 3);
        tree.putDoubles("ranks/1/markov/x", new double[] {-0.0, Double.longBitsToDouble(0x7ff8000000000123L), 1e-310, 2, 3, 4}, 2, 3);
        tree.putLongs("ranks/1/rng", Long.MIN_VALUE, -1);
        tree.putFloats("params/w", new float[] {9f});

        StateTree back = new StateTree();
        RankState.decodeInto(RankState.encode(tree, "ranks/1/"), back);
        assertEquals(List.of("ranks/1/buffers/ef", "ranks/1/markov/x", "ranks/1/rng"), List.copyOf(back.leaves().keySet()));
        assertArrayEquals(new int[] {2, 3}, back.shape("ranks/1/markov/x"));
        double[] x = tree.doubles("ranks/1/markov/x"), y = back.doubles("ranks/1/markov/x");
        for (int i = 0; i < x.length; i++) assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), "x[" + i + "]");
        assertEquals(0x7fc00123, Float.floatToRawIntBits(back.floats("ranks/1/buffers/ef")[2]));
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1}, back.longs("ranks/1/rng"));
    }
}
