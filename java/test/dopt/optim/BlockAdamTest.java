package dopt.optim;

import static dopt.optim.NamedOptimizers.optimizer;
import static dopt.optim.NamedOptimizers.step;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FRUGAL's blocks projector and BAdam on four 2×2 matrices and a bias. */
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
    void stateIsTheSlotsNotFullAdam() {
        BlockAdam f = BlockAdam.frugal(0.25, 10, false, BlockAdam.Free.SIGN, 1, 0.9, 0.999, 1e-8, 0);
        List<Param> ps = new ArrayList<>();
        for (int i = 0; i < 8; i++) ps.add(new Param("w" + i, Param.Role.MATRIX, 16, 16));
        f.init(ps, new StateTree(), "f");
        // 2 of 8 matrices: two slots of 2×256 floats, plus bookkeeping (slot of each block, order, 2 counters, RNG)
        assertEquals(2L * 8 * 256 + 8L * (2 * 8 + 2) + 32, f.stateBytes());
    }
}
