package dopt.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.state.StateTree;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PowerSGD (Vogels et al. 2019, Algorithm 1): exact on low-rank matrices, power iteration across steps, linear over workers. */
class PowerSgdTest {

    /** One worker's step: the two all-reduces of a single worker are the identity. */
    private static float[] step(PowerSgd ps, float[] grad) {
        float[] p = new float[ps.pLength()], q = new float[ps.qLength()], out = new float[ps.size()];
        ps.project(grad, p);
        ps.projectBack(p, q);
        ps.reconstruct(p, q, out);
        return out;
    }

    private static PowerSgd single(int rows, int cols, int rank, boolean ef, StateTree state) {
        PowerSgd ps = new PowerSgd(List.of(PowerSgd.Block.matrix("w", 0, rows, cols)), rank, ef);
        ps.init(state, "ranks/0/ef", "powersgd", 7);
        return ps;
    }

    /** u vᵀ summed over the given (u, v) pairs, row-major rows × cols. */
    private static float[] outer(int rows, int cols, double[][]... uv) {
        float[] m = new float[rows * cols];
        for (double[][] pair : uv)
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) m[i * cols + j] += (float) (pair[0][i] * pair[1][j]);
        return m;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    @Test
    void aRankTwoMatrixIsRecoveredExactlyByRankTwoAndLeavesNoError() {
        // M = (1,2,0,1,−1,3)ᵀ(1,0,2,−1,1) + (0,1,1,−2,0,1)ᵀ(2,1,0,0,−1): rank 2, 6 × 5
        float[] m = outer(6, 5, new double[][] {{1, 2, 0, 1, -1, 3}, {1, 0, 2, -1, 1}},
                new double[][] {{0, 1, 1, -2, 0, 1}, {2, 1, 0, 0, -1}});
        StateTree state = new StateTree();
        PowerSgd ps = single(6, 5, 2, true, state);
        // P = M Q spans M's column space for a generic Q, so P̂ P̂ᵀ M = M after one step
        float[] out = step(ps, m);
        assertTrue(maxAbsDiff(out, m) < 1e-5, "recovered: " + maxAbsDiff(out, m));
        float[] error = state.floats("ranks/0/ef/error");
        for (float e : error) assertEquals(0f, e, 1e-5f, "nothing left for error feedback");
    }

    @Test
    void warmStartedPowerIterationConvergesToTheBestRankOneApproximation() {
        // M = 3 e₁f₁ᵀ + 1 e₂f₂ᵀ: singular values 3 and 1; the best rank-1 approximation is 3 e₁f₁ᵀ.
        // Each step multiplies Q by MᵀM, so the e₂ part of P shrinks by (1/3)² per step.
        float[] m = new float[4 * 5];
        m[0] = 3;
        m[5 + 1] = 1;
        float[] best = new float[20];
        best[0] = 3;
        PowerSgd ps = single(4, 5, 1, false, new StateTree());
        float[] first = step(ps, m);
        assertTrue(maxAbsDiff(first, best) > 1e-3, "one step from a random Q is not yet the top direction: " + maxAbsDiff(first, best));
        float[] out = first;
        for (int s = 2; s <= 12; s++) out = step(ps, m);
        assertTrue(maxAbsDiff(out, best) < 1e-4, "after 12 warm-started steps: " + maxAbsDiff(out, best));
        // without the warm start (a fresh Q every step) every step is the first one again
        float[] cold = step(single(4, 5, 1, false, new StateTree()), m);
        assertEquals(maxAbsDiff(first, best), maxAbsDiff(cold, best), 0.0);
    }

    @Test
    void errorFeedbackKeepsWhatTheRankOneStepLeftOut() {
        float[] m = new float[4 * 5];
        m[0] = 3;
        m[5 + 1] = 1;
        StateTree state = new StateTree();
        PowerSgd ps = single(4, 5, 1, true, state);
        float[] out = step(ps, m);
        float[] error = state.floats("ranks/0/ef/error");
        for (int i = 0; i < m.length; i++) assertEquals(m[i], out[i] + error[i], 1e-6f, "M = P̂Qᵀ + e at " + i);
    }

    @Test
    void twoWorkersGetTheApproximationOfTheirMeanGradientAndTheExactMeanOfVectors() {
        // a 6 × 5 matrix, a 3-entry bias sent dense, a 4 × 3 matrix
        List<PowerSgd.Block> blocks = List.of(PowerSgd.Block.matrix("a", 0, 6, 5), PowerSgd.Block.vector("b", 30, 3),
                PowerSgd.Block.matrix("c", 33, 4, 3));
        int n = 45;
        Rng data = new Rng(11);
        float[] g1 = new float[n], g2 = new float[n], mean = new float[n];
        for (int i = 0; i < n; i++) {
            g1[i] = (float) data.nextGaussian();
            g2[i] = (float) data.nextGaussian();
            mean[i] = (g1[i] + g2[i]) / 2;
        }
        PowerSgd w1 = new PowerSgd(blocks, 2, false), w2 = new PowerSgd(blocks, 2, false), one = new PowerSgd(blocks, 2, false);
        for (PowerSgd w : List.of(w1, w2, one)) w.init(new StateTree(), "ranks/0/ef", "powersgd", 5);
        float[] p1 = new float[w1.pLength()], p2 = new float[w1.pLength()], q1 = new float[w1.qLength()], q2 = new float[w1.qLength()];
        float[] out1 = new float[n], out2 = new float[n];
        w1.project(g1, p1);
        w2.project(g2, p2);
        for (int i = 0; i < p1.length; i++) p1[i] = p2[i] = (p1[i] + p2[i]) / 2; // the first all-reduce
        w1.projectBack(p1, q1);
        w2.projectBack(p2, q2);
        for (int i = 0; i < q1.length; i++) q1[i] = q2[i] = (q1[i] + q2[i]) / 2; // the second
        w1.reconstruct(p1, q1, out1);
        w2.reconstruct(p2, q2, out2);
        float[] ofMean = step(one, mean);
        assertEquals(0.0, maxAbsDiff(out1, out2), "both workers rebuild the same matrices");
        assertTrue(maxAbsDiff(out1, ofMean) < 1e-5, "linear: the same as compressing the mean, " + maxAbsDiff(out1, ofMean));
        for (int i = 30; i < 33; i++) assertEquals(mean[i], out1[i], 1e-7f, "the bias is averaged exactly");
    }

    @Test
    void wireBytesAreFourTimesRowsPlusColumnsTimesRankPerMatrixPlusTheDenseVectors() {
        PowerSgd ps = new PowerSgd(List.of(PowerSgd.Block.matrix("a", 0, 6, 5), PowerSgd.Block.vector("b", 30, 3),
                PowerSgd.Block.matrix("c", 33, 10, 4)), 2, true);
        // P: 6·2 + 10·2 = 32 floats; Q: 5·2 + 3 + 4·2 = 21 floats
        assertEquals(32, ps.pLength());
        assertEquals(21, ps.qLength());
        assertEquals(4L * (6 + 5) * 2 + 4 * 3 + 4L * (10 + 4) * 2, ps.wireBytes());
        // the rank is capped by the smaller side, as in the reference code: a 3 × 2 matrix at rank 4 uses rank 2
        assertEquals(4L * (3 + 2) * 2, new PowerSgd(List.of(PowerSgd.Block.matrix("s", 0, 3, 2)), 4, false).wireBytes());
    }

    @Test
    void stateRoundTripContinuesBitForBit() {
        Rng data = new Rng(3);
        float[][] grads = new float[6][30];
        for (float[] g : grads) for (int i = 0; i < 30; i++) g[i] = (float) data.nextGaussian();
        StateTree state = new StateTree();
        PowerSgd a = single(6, 5, 2, true, state);
        for (int s = 0; s < 3; s++) step(a, grads[s]);
        // a checkpoint: copies of every leaf (Q and the error)
        StateTree saved = new StateTree();
        for (var e : state.leaves().entrySet()) {
            StateTree.FloatLeaf f = (StateTree.FloatLeaf) e.getValue();
            saved.putFloats(e.getKey(), f.data().clone(), f.shape());
        }
        assertEquals(List.of("powersgd/q/w", "ranks/0/ef/error"), state.leaves().keySet().stream().sorted().toList());
        StateTree fresh = new StateTree();
        PowerSgd b = single(6, 5, 2, true, fresh);
        fresh.restoreFrom(saved);
        for (int s = 3; s < 6; s++) {
            float[] x = step(a, grads[s]), y = step(b, grads[s]);
            for (int i = 0; i < 30; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), "step " + s + " [" + i + "]");
        }
    }

    @Test
    void aZeroGradientKeepsTheOldQInsteadOfStallingTheIteration() {
        StateTree state = new StateTree();
        PowerSgd ps = single(4, 5, 1, false, state);
        float[] q0 = state.floats("powersgd/q/w").clone();
        float[] out = step(ps, new float[20]);
        for (float v : out) assertEquals(0f, v);
        assertEquals(0.0, maxAbsDiff(q0, state.floats("powersgd/q/w")));
    }

    @Test
    void badRanksAndGappedBlocksAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PowerSgd(List.of(PowerSgd.Block.matrix("w", 0, 2, 2)), 0, false));
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> new PowerSgd(List.of(PowerSgd.Block.matrix("w", 0, 2, 2), PowerSgd.Block.vector("b", 5, 2)), 1, false));
        assertTrue(e.getMessage().contains("b starts at 5, expected 4"), e.getMessage());
    }
}
