package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MlpStageTest {
    private static final int[] WIDTHS = {7, 6, 5, 4, 3}; // four layers
    private static final int ROWS = 5;

    /** Stages chained by hand (no wire): one micro-batch gives the unsplit MLP's loss and gradients, bit for bit. */
    @Test
    void chainedStagesReproduceTheMlpBitForBit() {
        for (int[] starts : new int[][] {{0}, {0, 2}, {0, 1, 3}, {0, 1, 2, 3}}) {
            Mlp mlp = new Mlp(WIDTHS[0], new int[] {6, 5, 4}, 3, ROWS);
            mlp.init(new Rng(3));
            float[] x = gaussian(ROWS * WIDTHS[0], 4);
            int[] y = {0, 2, 1, 1, 2};
            float expectedLoss = mlp.forwardBackward(x, y, ROWS);

            MlpStage[] stages = new MlpStage[starts.length];
            List<Param> all = new ArrayList<>();
            for (int i = 0; i < starts.length; i++) {
                stages[i] = MlpStage.of(WIDTHS, starts, i, ROWS, 1);
                stages[i].init(new Rng(3));
                all.addAll(stages[i].params());
            }
            float[] a = x;
            for (MlpStage s : stages) a = s.forward(0, a, ROWS).clone();
            float loss = stages[stages.length - 1].loss(0, y, ROWS);
            float[] g = null;
            for (int i = stages.length - 1; i >= 0; i--) {
                float[] in = stages[i].backward(0, g, ROWS, false);
                g = in == null ? null : in.clone();
            }
            assertNull(g, "the first stage returns no input gradient");
            assertEquals(Float.floatToRawIntBits(expectedLoss), Float.floatToRawIntBits(loss));
            assertEquals(mlp.params().size(), all.size());
            for (int p = 0; p < all.size(); p++) {
                Param want = mlp.params().get(p), got = all.get(p);
                assertEquals(want.name(), got.name());
                assertEquals(want.role(), got.role());
                assertArrayEquals(want.shape(), got.shape());
                assertArrayEquals(want.value(), got.value(), "init of " + got.name());
                assertArrayEquals(want.grad(), got.grad(), "gradient of " + got.name() + " with stages starting at " + java.util.Arrays.toString(starts));
            }
        }
    }

    /** accumulate = true adds a micro-batch's gradient to what the parameters hold; slots keep micro-batches apart. */
    @Test
    void accumulatesOverMicroBatchesStashedInTheirSlots() {
        MlpStage whole = new MlpStage(WIDTHS, 0, 4, ROWS, 2);
        whole.init(new Rng(5));
        float[] x0 = gaussian(ROWS * 7, 6), x1 = gaussian(ROWS * 7, 7);
        int[] y0 = {0, 1, 2, 0, 1}, y1 = {2, 2, 1, 0, 0};
        // the single-slot reference: gradient of micro-batch 0, then of micro-batch 1
        MlpStage ref = new MlpStage(WIDTHS, 0, 4, ROWS, 1);
        ref.init(new Rng(5));
        float[][] g0 = gradients(ref, x0, y0), g1 = gradients(ref, x1, y1);

        whole.forward(0, x0, ROWS);
        whole.loss(0, y0, ROWS);
        whole.forward(1, x1, ROWS); // both in flight
        whole.loss(1, y1, ROWS);
        whole.backward(0, null, ROWS, false);
        whole.backward(1, null, ROWS, true);
        for (int p = 0; p < whole.params().size(); p++) {
            float[] got = whole.params().get(p).grad();
            for (int i = 0; i < got.length; i++) assertEquals(g0[p][i] + g1[p][i], got[i], 0f);
        }
    }

    @Test
    void refusesCutsOutsideTheModelAndTheLossOnAMiddleStage() {
        assertThrows(IllegalArgumentException.class, () -> new MlpStage(WIDTHS, 2, 2, ROWS, 1));
        assertThrows(IllegalArgumentException.class, () -> new MlpStage(WIDTHS, 0, 5, ROWS, 1));
        MlpStage middle = new MlpStage(WIDTHS, 1, 3, ROWS, 1);
        assertFalse(middle.isLast());
        assertTrue(new MlpStage(WIDTHS, 3, 4, ROWS, 1).isLast());
        assertEquals(6, middle.inputWidth());
        assertEquals(4, middle.outputWidth());
        assertThrows(IllegalStateException.class, () -> middle.loss(0, new int[ROWS], ROWS));
        assertThrows(IllegalArgumentException.class, () -> middle.forward(0, new float[6 * (ROWS + 1)], ROWS + 1));
    }

    private static float[][] gradients(MlpStage s, float[] x, int[] y) {
        s.forward(0, x, ROWS);
        s.loss(0, y, ROWS);
        s.backward(0, null, ROWS, false);
        float[][] g = new float[s.params().size()][];
        for (int p = 0; p < g.length; p++) g[p] = s.params().get(p).grad().clone();
        return g;
    }

    static float[] gaussian(int n, long seed) {
        Rng r = new Rng(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
