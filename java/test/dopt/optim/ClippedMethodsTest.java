package dopt.optim;

import static dopt.optim.NamedOptimizers.optimizer;
import static dopt.optim.NamedOptimizers.step;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Clipping modes, clipped-SGD and clipped-SSTM (Gorbunov, Danilova and Gasnikov 2020) by hand. */
class ClippedMethodsTest {

    private static Param vector(String name, float... v) {
        Param p = new Param(name, Param.Role.BIAS, v.length);
        System.arraycopy(v, 0, p.value(), 0, v.length);
        return p;
    }

    private static Param gradient(String name, float... g) {
        Param p = new Param(name, Param.Role.BIAS, g.length);
        System.arraycopy(g, 0, p.grad(), 0, g.length);
        return p;
    }

    @Test
    void globalClippingEngagesExactlyWhenTheNormExceedsTheLevel() {
        Param p = gradient("x", 3f, 4f); // ‖g‖ = 5
        assertFalse(ClipMode.GLOBAL.clip(List.of(p), 5.0), "‖g‖ = λ: not clipped");
        assertArrayEquals(new float[] {3f, 4f}, p.grad());
        assertFalse(ClipMode.GLOBAL.clip(List.of(p), 6.0));
        assertArrayEquals(new float[] {3f, 4f}, p.grad());
        assertTrue(ClipMode.GLOBAL.clip(List.of(p), 2.5), "‖g‖ > λ: scaled to norm λ");
        assertArrayEquals(new float[] {1.5f, 2f}, p.grad(), 1e-6f);
    }

    @Test
    void layerClippingTakesEachTensorsOwnNormAndCoordinateClippingClampsEachValue() {
        Param a = gradient("a", 3f, 4f), b = gradient("b", 0.1f);
        assertTrue(ClipMode.LAYER.clip(List.of(a, b), 1.0));
        assertArrayEquals(new float[] {0.6f, 0.8f}, a.grad(), 1e-6f);
        assertArrayEquals(new float[] {0.1f}, b.grad(), "a tensor below λ is untouched");

        Param c = gradient("c", 3f, -4f, 0.5f, -1f);
        assertTrue(ClipMode.COORDINATE.clip(List.of(c), 1.0));
        assertArrayEquals(new float[] {1f, -1f, 0.5f, -1f}, c.grad());
        assertFalse(ClipMode.COORDINATE.clip(List.of(c), 1.0), "|gᵢ| = λ is not clipped");
    }

    @Test
    void clippedSgdStepsAlongTheClippedGradient() {
        Param p = vector("x", 0f, 0f);
        Optimizer o = optimizer("clipped-sgd", Map.of("lr", 0.1, "clip", 1.0), p);
        step(o, p, 1, 3f, 4f);
        assertArrayEquals(new float[] {-0.06f, -0.08f}, p.value(), 1e-7f);
        step(o, p, 2, 0.3f, 0.4f); // below λ: a plain SGD step
        assertArrayEquals(new float[] {-0.09f, -0.12f}, p.value(), 1e-7f);

        Param q = vector("x", 0f, 0f);
        Optimizer oc = optimizer("clipped-sgd", Map.of("lr", 0.1, "clip", 1.0, "clip_mode", "coordinate"), q);
        step(oc, q, 1, 3f, 0.5f);
        assertArrayEquals(new float[] {-0.1f, -0.05f}, q.value(), 1e-7f);
    }

    /**
     * f(x) = x²/2 (∇f = x, L = 1), a = 1, ν = 1, so α_k = k/2: α = 0.5, 1, 1.5, 2; A = 0.5, 1.5, 3, 5.
     * From x₀ = 2 with B = 100 (no clipping): z₁ = 2 − 0.5·2 = 1, y₁ = 1, x₂ = (0.5·1 + 1·1)/1.5 = 1;
     * z₂ = 1 − 1·1 = 0, y₂ = (0.5·1 + 0)/1.5 = 1/3, x₃ = (1.5/3 + 0)/3 = 1/6;
     * z₃ = 0 − 1.5/6 = −1/4, y₃ = (1.5/3 − 1.5/4)/3 = 1/24, x₄ = (3/24 − 2/4)/5 = −0.075.
     */
    @Test
    void clippedSstmFirstStepsMatchTheFormulasByHand() {
        Param p = vector("x", 2f);
        ClippedSstm sstm = new ClippedSstm(1, 1, 1, 100, ClipMode.GLOBAL);
        Optimizer o = new Optimizer("clipped-sstm", sstm, Schedule.constant(0.5), List.of(p), new StateTree());
        float[] expectX = {1f, 1f / 6, -0.075f}, expectY = {1f, 1f / 3, 1f / 24};
        double[] expectA = {0.5, 1.5, 3};
        for (int k = 0; k < 3; k++) {
            step(o, p, k + 1, p.value()[0]); // exact gradient at the query point
            assertEquals(expectX[k], p.value()[0], 1e-6f, "x_" + (k + 2));
            assertEquals(expectY[k], sstm.output(0)[0], 1e-6f, "y_" + (k + 1));
            assertEquals(expectA[k], sstm.weightSum(), 1e-12, "A_" + (k + 1));
        }
    }

    /**
     * Same problem with B = 0.25: λ₁ = B/α₁ = 0.5 clips g = 2 to 0.5, z₁ = y₁ = x₂ = 2 − 0.5·0.5 = 1.75;
     * λ₂ = 0.25 clips g = 1.75: z₂ = 1.5, y₂ = (0.5·1.75 + 1.5)/1.5 = 19/12, x₃ = (1.5·19/12 + 1.5·1.5)/3 = 37/24.
     */
    @Test
    void clippedSstmClipsAtLevelBOverAlpha() {
        Param p = vector("x", 2f);
        Optimizer o = optimizer("clipped-sstm", Map.of("a", 1.0, "L", 1.0, "nu", 1.0, "B", 0.25), p);
        step(o, p, 1, p.value()[0]);
        assertEquals(1.75f, p.value()[0], 1e-6f);
        step(o, p, 2, p.value()[0]);
        assertEquals(37f / 24, p.value()[0], 1e-6f);
        assertEquals(0.25, NamedRules.lr("clipped-sstm", Map.of("a", 2.0)), 1e-15, "lr reports α₁ = 1/(2aL)");
    }

    @Test
    void clippedSstmStepsFollowTheHolderExponent() {
        ClippedSstm smooth = new ClippedSstm(2, 1, 1, 1, ClipMode.GLOBAL), nonSmooth = new ClippedSstm(2, 1, 0, 1, ClipMode.GLOBAL);
        assertEquals(3 / 4.0, smooth.alpha(3), 1e-15);
        assertEquals(1 / 4.0, nonSmooth.alpha(3), 1e-15, "ν = 0: constant steps 1/(2aL)");
        assertEquals(Math.pow(8, 2.0 / 3) / 4, new ClippedSstm(2, 1, 0.5, 1, ClipMode.GLOBAL).alpha(8), 1e-12);
    }

    @Test
    void clippedSstmKeepsItsStateInTheTreeAndResumesBitExactly() {
        float[][] grads = {{1f, -2f}, {0.5f, 3f}, {-1f, 0.25f}, {2f, 2f}, {0.1f, -0.3f}};
        Map<String, Object> hp = Map.of("a", 1.5, "L", 2.0, "nu", 1.0, "B", 0.7, "clip_mode", "coordinate");
        Param p = vector("w", 1f, -1f);
        StateTree tree = new StateTree();
        Optimizer o = new Optimizer("clipped-sstm", NamedRules.build("clipped-sstm", hp), Schedule.constant(1), List.of(p), tree);
        for (int s = 0; s < 2; s++) step(o, p, s + 1, grads[s]);
        String prefix = "optim/clipped_sstm/";
        for (String leaf : List.of("y/w", "z/w", "count", "A")) assertTrue(tree.contains(prefix + leaf), leaf + " in the tree");
        assertEquals(2L, tree.longs(prefix + "count")[0]);

        Param resumed = vector("w", p.value().clone());
        StateTree fresh = new StateTree();
        Optimizer r = new Optimizer("clipped-sstm", NamedRules.build("clipped-sstm", hp), Schedule.constant(1), List.of(resumed), fresh);
        fresh.restoreFrom(tree);
        for (int s = 2; s < grads.length; s++) {
            step(o, p, s + 1, grads[s]);
            step(r, resumed, s + 1, grads[s]);
        }
        assertArrayEquals(p.value(), resumed.value(), 0f);
        assertArrayEquals(tree.floats(prefix + "y/w"), fresh.floats(prefix + "y/w"), 0f);
        assertEquals(16 + 8 * 2, o.stateBytes());
    }

    @Test
    void badHyperParametersAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> NamedRules.build("clipped-sstm", Map.of("clip", 1.0)));
        assertTrue(e.getMessage().contains("'clip'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NamedRules.build("clipped-sgd", Map.of("clip_mode", "diagonal")));
        assertTrue(e.getMessage().contains("diagonal"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NamedRules.build("clipped-sstm", Map.of("nu", 1.5)));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NamedRules.build("clipped-sgd", Map.of("clip", Double.NaN)));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
}
