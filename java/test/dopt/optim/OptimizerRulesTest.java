package dopt.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule against values worked out by hand. */
class OptimizerRulesTest {

    private static Param param(float... values) {
        Param p = new Param("w", Param.Role.MATRIX, values.length);
        System.arraycopy(values, 0, p.value(), 0, values.length);
        return p;
    }

    private static void grad(Param p, float... g) { System.arraycopy(g, 0, p.grad(), 0, g.length); }

    @Test
    void sgdMovesAgainstTheGradient() {
        Param p = param(1f, -2f);
        Optimizer o = new Optimizer("sgd", new ScaleByLearningRate(Schedule.constant(0.5)), Schedule.constant(0.5), List.of(p), new StateTree());
        grad(p, 2f, -4f);
        o.step(1);
        assertEquals(0f, p.value()[0]);
        assertEquals(0f, p.value()[1]);
    }

    @Test
    void heavyBallMomentumAccumulatesLikeTorch() {
        // torch.optim.SGD(lr=1, momentum=0.9): b1 = g1, b2 = 0.9 b1 + g2
        Param p = param(0f);
        StateTree st = new StateTree();
        Optimizer o = new Optimizer("sgdm", new Chain(new TraceMomentum(0.9, false), new ScaleByLearningRate(Schedule.constant(1))),
                Schedule.constant(1), List.of(p), st);
        grad(p, 1f);
        o.step(1);
        assertEquals(-1f, p.value()[0]);
        grad(p, 1f);
        o.step(2);
        assertEquals(-2.9f, p.value()[0], 1e-6f);
        assertEquals(1.9f, st.floats("optim/momentum/momentum/w")[0], 1e-6f);
    }

    @Test
    void adamsFirstStepIsTheLearningRateTimesTheSign() {
        // m1 = (1-b1) g, v1 = (1-b2) g², bias-corrected: m̂ = g, v̂ = g² → step lr·g/(|g|+eps)
        Param p = param(0f, 0f, 0f);
        Optimizer o = new Optimizer("adam", new Chain(new ScaleByAdam(0.9, 0.999, 1e-8), new ScaleByLearningRate(Schedule.constant(0.01))),
                Schedule.constant(0.01), List.of(p), new StateTree());
        grad(p, 3f, -0.5f, 0f);
        o.step(1);
        assertEquals(-0.01f, p.value()[0], 1e-7f);
        assertEquals(0.01f, p.value()[1], 1e-7f);
        assertEquals(0f, p.value()[2]);
    }

    @Test
    void adamsSecondStepMatchesTheFormula() {
        Param p = param(0f);
        StateTree st = new StateTree();
        Optimizer o = new Optimizer("adam", new Chain(new ScaleByAdam(0.9, 0.999, 1e-8), new ScaleByLearningRate(Schedule.constant(0.1))),
                Schedule.constant(0.1), List.of(p), st);
        grad(p, 1f);
        o.step(1);
        grad(p, 2f);
        o.step(2);
        double m = 0.9 * 0.1 + 0.1 * 2, v = 0.999 * 0.001 + 0.001 * 4;
        double mh = m / (1 - 0.81), vh = v / (1 - 0.999 * 0.999);
        double expected = -0.1 - 0.1 * mh / (Math.sqrt(vh) + 1e-8);
        assertEquals(expected, p.value()[0], 1e-6);
        assertEquals(2L, st.longs("optim/adam/count")[0]);
        assertEquals(8 + 8, new ScaleByAdamProbe().bytesFor(1));
    }

    /** Adam holds two floats per parameter plus its step counter. */
    private static final class ScaleByAdamProbe {
        long bytesFor(int n) {
            ScaleByAdam a = new ScaleByAdam(0.9, 0.999, 1e-8);
            a.init(List.of(new Param("x", Param.Role.MATRIX, n)), new StateTree(), "a");
            return a.stateBytes();
        }
    }

    @Test
    void decoupledWeightDecayShrinksTheParameterByLrTimesDecay() {
        // AdamW with a zero gradient: only the decay acts, x ← x − lr·wd·x
        Param p = param(2f);
        Optimizer o = new Optimizer("adamw", new Chain(new ScaleByAdam(0.9, 0.999, 1e-8), new AddDecayedWeights(0.1),
                new ScaleByLearningRate(Schedule.constant(0.5))), Schedule.constant(0.5), List.of(p), new StateTree());
        grad(p, 0f);
        o.step(1);
        assertEquals(2f - 0.5f * 0.1f * 2f, p.value()[0], 1e-7f);
    }

    @Test
    void globalNormClippingScalesAllParametersTogether() {
        Param a = param(0f), b = param(0f);
        grad(a, 3f);
        grad(b, 4f);
        new ClipByGlobalNorm(1.0).update(List.of(a, b), 1);
        assertEquals(0.6f, a.grad()[0], 1e-7f);
        assertEquals(0.8f, b.grad()[0], 1e-7f);
        grad(a, 0.3f);
        grad(b, 0.4f);
        new ClipByGlobalNorm(1.0).update(List.of(a, b), 1);
        assertEquals(0.3f, a.grad()[0]);
    }

    @Test
    void warmupCosineRisesLinearlyThenDecaysToTheFloor() {
        Schedule s = Schedule.warmupCosine(1.0, 10, 110, 0.1);
        assertEquals(0.1, s.lr(1), 1e-12);
        assertEquals(1.0, s.lr(10), 1e-12);
        assertEquals(0.55, s.lr(60), 1e-12);
        assertEquals(0.1, s.lr(110), 1e-12);
    }
}
