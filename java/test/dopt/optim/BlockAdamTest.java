package dopt.optim;

import static dopt.optim.NamedOptimizers.optimizer;
import static dopt.optim.NamedOptimizers.step;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FRUGAL's blocks projector and BAdam: which coordinates get Adam, when, and the state it takes. */
class BlockAdamTest {

    private static List<Param> params() {
        List<Param> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) ps.add(new Param("w" + i, Param.Role.MATRIX, 2, 2));
        ps.add(new Param("b", Param.Role.BIAS, 2));
        return ps;
    }

    private static void grads(List<Param> ps, float g) {
        for (Param p : ps) java.util.Arrays.fill(p.grad(), g);
    }


    @Test
    void frugalBlocksGiveAdamToHalfTheMatricesLastFirstAndSignToTheRest() {
        List<Param> ps = params();
        // gradient 3 everywhere: Adam's first step is lr·1 = 0.1, the sign step lr_free·1 = 0.01
        Optimizer o = optimizer("frugal", Map.of("lr", 0.1, "lr_free", 0.01, "rho", 0.5, "projector", "blocks", "update_gap", 2), ps);
        grads(ps, 3f);
        o.step(1);
        assertEquals(-0.01f, ps.get(0).value()[0], 1e-6f);
        assertEquals(-0.01f, ps.get(1).value()[0], 1e-6f);
        assertEquals(-0.1f, ps.get(2).value()[0], 1e-6f);
        assertEquals(-0.1f, ps.get(3).value()[0], 1e-6f);
        assertEquals(-0.1f, ps.get(4).value()[0], 1e-6f, "the bias keeps Adam");
        grads(ps, 3f);
        o.step(2);
        grads(ps, 3f);
        o.step(3); // switch: now w1 and w0 (descending) get a fresh Adam
        assertEquals(-0.02f - 0.1f, ps.get(0).value()[0], 1e-6f);
        assertEquals(-0.2f - 0.01f, ps.get(3).value()[0], 1e-6f);
    }

    @Test
    void badamUpdatesOneMatrixAtATimeAndFreezesTheOthers() {
        List<Param> ps = params();
        Optimizer o = optimizer("badam", Map.of("lr", 0.1, "switch_every", 1), ps);
        for (int s = 1; s <= 4; s++) {
            grads(ps, 1f);
            o.step(s);
            int active = 4 - s; // descending: w3, w2, w1, w0
            for (int b = 0; b < 4; b++) assertEquals(b >= active ? -0.1f : 0f, ps.get(b).value()[0], 1e-6f, "step " + s + " block " + b);
        }
    }

    @Test
    void badamWithTwoBlocksUpdatesTwoConsecutiveMatricesOfTheWalkAtATime() {
        List<Param> ps = params();
        Optimizer o = optimizer("badam", Map.of("lr", 0.1, "switch_every", 1, "blocks", 2), ps);
        grads(ps, 1f);
        o.step(1); // descending walk w3, w2, w1, w0: the first window is {w3, w2}
        float[] expect = {0f, 0f, -0.1f, -0.1f};
        for (int b = 0; b < 4; b++) assertEquals(expect[b], ps.get(b).value()[0], 1e-6f, "step 1 block " + b);
        grads(ps, 1f);
        o.step(2); // then {w1, w0}, with fresh moments: a full first Adam step
        for (int b = 0; b < 4; b++) assertEquals(-0.1f, ps.get(b).value()[0], 1e-6f, "step 2 block " + b);
    }

    @Test
    void badamMomentsAreSizedForTheLargestBlocksTogether() {
        List<Param> ps = List.of(new Param("w0", Param.Role.MATRIX, 3, 3), new Param("w1", Param.Role.MATRIX, 1, 2),
                new Param("w2", Param.Role.MATRIX, 2, 2));
        long bookkeeping = 8L * (3 + 2) + 32;
        for (int k = 1; k <= 3; k++) {
            BlockAdam b = BlockAdam.badam(5, k, false, 0.9, 0.999, 1e-8, 0);
            b.init(ps, new StateTree(), "b");
            long largest = new long[] {9, 9 + 4, 9 + 4 + 2}[k - 1];
            assertEquals(8L * largest, b.stateBytes() - bookkeeping, "blocks " + k);
        }
    }

    @Test
    void frugalStateIsRhoOfAdamsOnTheMatricesByParameterCount() {
        // the demo MLP's matrices, 784→512 and 512→512: 61 % of their Adam state at ρ = 0.25 and 121 % at ρ = 1
        // when a window was round(ρ·#matrices) whole matrices in slots sized for the largest
        for (double rho : new double[] {0, 0.125, 0.25, 0.5, 1}) {
            BlockAdam f = BlockAdam.frugal(rho, 10, false, BlockAdam.Free.SIGN, 1, 0.9, 0.999, 1e-8, 0);
            f.init(List.of(new Param("fc1.weight", Param.Role.MATRIX, 512, 784), new Param("fc2.weight", Param.Role.MATRIX, 512, 512)),
                    new StateTree(), "f");
            long bookkeeping = 8L * (2 + 2) + 32; // the walk's order, step and Adam counters, the RNG
            assertEquals(8L * Math.round(rho * (512 * 784 + 512 * 512)), f.stateBytes() - bookkeeping, "rho " + rho);
        }
    }

    @Test
    void aWindowSpansMatricesAndPartsOfMatricesByCoordinates() {
        // w0 2×3, w1 1×2: N = 8 coordinates, ρ = 0.25 windows of 2 over the walk w1, w0 (descending):
        // w1, then w0's first row's first two entries, then w0[2..4), then w0[4..6)
        List<Param> ps = List.of(new Param("w0", Param.Role.MATRIX, 2, 3), new Param("w1", Param.Role.MATRIX, 1, 2));
        Optimizer o = optimizer("frugal", Map.of("lr", 0.1, "lr_free", 0.01, "rho", 0.25, "projector", "blocks", "update_gap", 1), ps);
        float[][] moves = new float[4][];
        for (int s = 1; s <= 4; s++) {
            float[] before = ps.get(0).value().clone();
            grads(ps, 3f);
            o.step(s);
            moves[s - 1] = new float[6];
            for (int j = 0; j < 6; j++) moves[s - 1][j] = ps.get(0).value()[j] - before[j];
        }
        // Adam's first step is lr·sign = 0.1 (moments restart at each switch), the state-free one 0.01
        assertArrayEquals(new float[] {-0.01f, -0.01f, -0.01f, -0.01f, -0.01f, -0.01f}, moves[0], 1e-6f);
        assertArrayEquals(new float[] {-0.1f, -0.1f, -0.01f, -0.01f, -0.01f, -0.01f}, moves[1], 1e-6f);
        assertArrayEquals(new float[] {-0.01f, -0.01f, -0.1f, -0.1f, -0.01f, -0.01f}, moves[2], 1e-6f);
        assertArrayEquals(new float[] {-0.01f, -0.01f, -0.01f, -0.01f, -0.1f, -0.1f}, moves[3], 1e-6f);
        assertEquals(-0.1f - 3 * 0.01f, ps.get(1).value()[0], 1e-6f, "w1 had the first window");
    }
}
