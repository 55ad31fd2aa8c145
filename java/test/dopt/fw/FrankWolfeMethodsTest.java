package dopt.fw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.state.StateTree;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FrankWolfeMethodsTest {

    private static final float[] MIDDLE = {0.5f, 0.5f};

    /** Four components in 2-D with centre c̄ = (0.3, 0.7), a point inside the simplex. */
    private static SquaredDistances fourAroundInterior() {
        return new SquaredDistances(new double[] {0.3, 1.7}, new double[] {0.3, -0.3}, new double[] {1.3, 0.7}, new double[] {-0.7, 0.7});
    }

    /** Four components whose centre (0.315, 0.73) makes FW compare p with 0.2925: no exact LMO ties on the way. */
    private static SquaredDistances fourWithoutTies() {
        return new SquaredDistances(new double[] {0.27, 1.6}, new double[] {0.41, -0.2}, new double[] {1.18, 0.75}, new double[] {-0.6, 0.77});
    }

    private static FrankWolfeMethod started(FrankWolfeMethod m) {
        m.init(MIDDLE, new StateTree(), "fw");
        return m;
    }

    @Test
    void deterministicFwReachesAVertexMinimiserExactly() {
        // c̄ = (2, −1): the minimiser over the simplex is the vertex (1, 0); from (½, ½) the first
        // LMO answer is that vertex, η₀ = 1 jumps there, and every later LMO answers it again.
        SquaredDistances f = new SquaredDistances(new double[] {3, -2}, new double[] {1, 0});
        Simplex simplex = new Simplex(2);
        FrankWolfeMethod fw = started(new FrankWolfe(f, simplex));
        for (int t = 0; t < 5; t++) fw.step();
        assertArrayEquals(new float[] {1, 0}, fw.x());
        assertEquals(0.0, new FrankWolfeGap(f, simplex).at(fw.x()), 0.0);
    }

    @Test
    void deterministicFwClosesTheGapAtAnInteriorMinimiser() {
        SquaredDistances f = fourAroundInterior();
        Simplex simplex = new Simplex(2);
        FrankWolfeGap gap = new FrankWolfeGap(f, simplex);
        FrankWolfeMethod fw = started(new FrankWolfe(f, simplex));
        double first = gap.at(fw.x());
        for (int t = 0; t < 2000; t++) fw.step();
        // on this segment FW oscillates around p = 0.3 with amplitude ~η_t = 1e-3
        assertTrue(gap.at(fw.x()) < 5e-3, "gap " + gap.at(fw.x()));
        assertTrue(gap.at(fw.x()) < first / 20, "first gap " + first);
        assertEquals(0.3, fw.x()[0], 3e-3);
        assertEquals(0.7, fw.x()[1], 3e-3);
        assertTrue(simplex.contains(fw.x(), 1e-5));
    }

    /** Each method with n = 4, and the evaluations it must have made after the given iterations, counted by hand. */
    @Test
    void everyMethodCountsItsGradientEvaluationsExactly() {
        Simplex simplex = new Simplex(2);
        record Case(Function<SquaredDistances, FrankWolfeMethod> make, int steps, long expected) { }
        Map<String, Case> cases = Map.of(
                // 5 full gradients of n = 4
                "FW", new Case(f -> new FrankWolfe(f, simplex), 5, 20),
                // 5 batches of b = 2
                "SFW", new Case(f -> new StochasticFrankWolfe(f, simplex, 2, 1), 5, 10),
                // m = 3, b = 1: full 4 at t = 0 and 3, 2b = 2 at t = 1, 2, 4
                "SVRF-const", new Case(f -> Svrf.constant(f, simplex, 1, 3, 1), 5, 4 + 2 + 2 + 4 + 2),
                // epochs of 14 and 30 iterations: full 4 at t = 0 and 14, else batch min(n, 96(k+1)) = 4, 2·4 = 8
                "SVRF", new Case(f -> Svrf.hazanLuo(f, simplex, 1), 16, 4 + 13 * 8 + 4 + 8),
                // epochs start at t = 0, 1, 3, 7 (full, 4); inner batch 2 at t = 2, 4 at t = 4..6, min(8, n) = 4 at t = 8
                "SPIDER-FW", new Case(f -> new SpiderFrankWolfe(f, simplex, 1), 9, 4 + 4 + 2 * 2 + 4 + 3 * (2 * 4) + 4 + 2 * 4),
                "Sarah-FW", new Case(f -> new SarahFrankWolfe(f, simplex, 1, 3, 1), 5, 4 + 2 + 2 + 4 + 2),
                // b = 2 at t = 0 (x_{−1} = x_0), then 2b = 4 per iteration, never a full gradient
                "Saga-Sarah-FW", new Case(f -> new SagaSarahFrankWolfe(f, simplex, 2, 1), 5, 2 + 4 * 4));
        for (var e : cases.entrySet()) {
            SquaredDistances f = fourAroundInterior();
            FrankWolfeMethod m = started(e.getValue().make().apply(f));
            assertEquals(e.getKey(), m.name());
            for (int t = 0; t < e.getValue().steps(); t++) m.step();
            assertEquals(e.getValue().expected(), m.gradientEvaluations(), e.getKey() + " counter");
            assertEquals(e.getValue().expected(), f.componentCalls + 4 * f.fullCalls, e.getKey() + " calls the problem saw");
        }
        SquaredDistances f = fourAroundInterior();
        FrankWolfeMethod saga = started(new SagaSarahFrankWolfe(f, simplex, 2, 1));
        for (int t = 0; t < 50; t++) saga.step();
        assertEquals(0, f.fullCalls, "Saga-Sarah-FW never takes a full gradient");
    }

    @Test
    void withTheWholeSumAsBatchTheVarianceReducedEstimatorsAreExactAndFollowFw() {
        Simplex simplex = new Simplex(2);
        FrankWolfeMethod fw = started(new FrankWolfe(fourWithoutTies(), simplex));
        List<FrankWolfeMethod> exact = List.of(
                started(Svrf.constant(fourWithoutTies(), simplex, 4, 5, 3)),
                started(new SarahFrankWolfe(fourWithoutTies(), simplex, 4, 5, 3)),
                started(new SagaSarahFrankWolfe(fourWithoutTies(), simplex, 4, 0.3, 3)),
                started(new SagaSarahFrankWolfe(fourWithoutTies(), simplex, 4, 1.0, 3)));
        for (int t = 0; t < 40; t++) {
            fw.step();
            for (FrankWolfeMethod m : exact) {
                m.step();
                assertArrayEquals(fw.x(), m.x(), 1e-5f, m.name() + " at t = " + t);
            }
        }
    }

    @Test
    void svrfFollowsHazanAndLuosEpochsAndRestartsItsStepEachEpoch() {
        assertEquals(1, Svrf.innerIndex(0));
        assertEquals(14, Svrf.innerIndex(13), "the first epoch has 2^4 - 2 = 14 iterations");
        assertEquals(1, Svrf.innerIndex(14));
        assertEquals(30, Svrf.innerIndex(43), "the second has 30");
        assertEquals(1, Svrf.innerIndex(44));
        Svrf svrf = Svrf.hazanLuo(fourAroundInterior(), new Simplex(2), 1);
        assertEquals(1.0, svrf.stepSize(14), "gamma_1 = 2/(1+1) at each epoch start");
        assertEquals(2.0 / 4, svrf.stepSize(16));
    }

    @Test
    void sagaSarahKeepsItsTableMeanEqualToTheMeanOfItsRows() {
        SquaredDistances f = fourAroundInterior();
        SagaSarahFrankWolfe m = new SagaSarahFrankWolfe(f, new Simplex(2), 1, 7);
        started(m);
        for (int t = 0; t < 30; t++) m.step();
        float[] mean = m.tableMean();
        for (int j = 0; j < 2; j++) {
            double s = 0;
            for (int i = 0; i < 4; i++) s += m.tableRow(i)[j];
            assertEquals(s / 4, mean[j], 1e-6, "coordinate " + j);
        }
    }

    @Test
    void everyStochasticMethodDrivesTheGapDownOnTheQuadratic() {
        Simplex simplex = new Simplex(2);
        SquaredDistances f = fourAroundInterior();
        FrankWolfeGap gap = new FrankWolfeGap(f, simplex);
        for (FrankWolfeMethod m : List.of(new StochasticFrankWolfe(f, simplex, 2, 5), Svrf.constant(f, simplex, 1, 4, 5), Svrf.hazanLuo(f, simplex, 5),
                new SpiderFrankWolfe(f, simplex, 5), new SarahFrankWolfe(f, simplex, 1, 4, 5), new SagaSarahFrankWolfe(f, simplex, 1, 5))) {
            started(m);
            double first = gap.at(m.x());
            // 996 = 14 + 30 + ... + 510: the end of a Hazan–Luo epoch, where SVRF's guarantee is stated
            for (int t = 0; t < 996; t++) m.step();
            assertTrue(gap.at(m.x()) < first / 5, m.name() + ": gap " + gap.at(m.x()) + " from " + first);
            assertTrue(simplex.contains(m.x(), 1e-5), m.name() + " left the simplex");
        }
    }

    @Test
    void restoringTheStateTreeResumesEveryMethodBitExactly() {
        Simplex simplex = new Simplex(2);
        List<Function<SquaredDistances, FrankWolfeMethod>> makers = List.of(f -> new FrankWolfe(f, simplex),
                f -> new StochasticFrankWolfe(f, simplex, 2, 11), f -> Svrf.constant(f, simplex, 1, 3, 11), f -> Svrf.hazanLuo(f, simplex, 11),
                f -> new SpiderFrankWolfe(f, simplex, 11), f -> new SarahFrankWolfe(f, simplex, 1, 3, 11),
                f -> new SagaSarahFrankWolfe(f, simplex, 2, 11));
        for (var make : makers) {
            StateTree tree = new StateTree();
            FrankWolfeMethod a = make.apply(fourAroundInterior());
            a.init(MIDDLE, tree, "fw");
            for (int t = 0; t < 7; t++) a.step();
            StateTree saved = deepCopy(tree);
            for (int t = 0; t < 6; t++) a.step();

            StateTree fresh = new StateTree();
            FrankWolfeMethod b = make.apply(fourAroundInterior());
            b.init(MIDDLE, fresh, "fw");
            fresh.restoreFrom(saved);
            for (int t = 0; t < 6; t++) b.step();
            assertArrayEquals(a.x(), b.x(), a.name());
            assertEquals(a.gradientEvaluations(), b.gradientEvaluations(), a.name());
            assertEquals(13, b.iteration(), a.name());
            assertTrue(a.stateBytes() > 0);
        }
    }

    private static StateTree deepCopy(StateTree tree) {
        StateTree copy = new StateTree();
        for (var e : tree.leaves().entrySet()) {
            if (e.getValue() instanceof StateTree.FloatLeaf fl) copy.putFloats(e.getKey(), fl.data().clone(), fl.shape());
            else if (e.getValue() instanceof StateTree.LongLeaf ll) copy.putLongs(e.getKey(), ll.data().clone());
        }
        return copy;
    }

    @Test
    void badHyperParametersAndInfeasibleStartsAreRejected() {
        Simplex simplex = new Simplex(2);
        SquaredDistances f = fourAroundInterior();
        assertThrows(IllegalArgumentException.class, () -> new StochasticFrankWolfe(f, simplex, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SarahFrankWolfe(f, simplex, 5, 2, 1), "batch above n");
        assertThrows(IllegalArgumentException.class, () -> Svrf.constant(f, simplex, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SagaSarahFrankWolfe(f, simplex, 1, 0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FrankWolfe(f, new Simplex(3)));
        var ex = assertThrows(IllegalArgumentException.class, () -> new FrankWolfe(f, simplex).init(new float[] {0.9f, 0.9f}, new StateTree(), "fw"));
        assertTrue(ex.getMessage().contains("outside the simplex"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FrankWolfe(f, simplex).init(new float[] {Float.NaN, 0.5f}, new StateTree(), "fw"));
    }
}
