package dopt.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.random.Rng;
import dopt.state.StateTree;
import org.junit.jupiter.api.Test;

class ErrorFeedbackTest {

    @Test
    void ef14CarriesTheDroppedPartToTheNextStep() {
        Ef14 ef = new Ef14(new TopK(0.5));
        ef.init(2, new StateTree(), "ef", "ef-shared");
        float[] msg = new float[2], dir = new float[2];
        ef.encode(new float[] {3, 1}, msg, null);
        assertArrayEquals(new float[] {3, 0}, msg);
        ef.encode(new float[] {0, 1.5f}, msg, null); // p = error (0, 1) + g = (0, 2.5)
        assertArrayEquals(new float[] {0, 2.5f}, msg);
        ef.decode(msg, dir);
        assertArrayEquals(msg, dir);
    }

    @Test
    void ef21LearnsAConstantGradientExactlyAfterEnoughTopOneSteps() {
        // with top-1 on 3 coordinates, the estimate catches up one coordinate per step
        Ef21 ef = new Ef21(new TopK(1.0 / 3), false);
        ef.init(3, new StateTree(), "ef", "ef-shared");
        float[] g = {1, -4, 2}, msg = new float[3], dir = new float[3];
        for (int s = 0; s < 3; s++) {
            ef.encode(g, msg, null);
            ef.decode(msg, dir); // one worker: the mean message is its own
        }
        assertArrayEquals(g, dir);
    }

    @Test
    void normalizedEf21StepsHaveUnitLength() {
        Ef21 ef = new Ef21(new ScaledSign(), true);
        ef.init(4, new StateTree(), "ef", "ef-shared");
        float[] msg = new float[4], dir = new float[4];
        ef.encode(new float[] {1, 2, -3, 0.5f}, msg, null);
        ef.decode(msg, dir);
        double norm = 0;
        for (float d : dir) norm += d * d;
        assertEquals(1.0, Math.sqrt(norm), 1e-6);
    }

    /**
     * Two workers with different quadratics fᵢ(x) = ½‖x − bᵢ‖² (synthetic, as in the EF21 paper's
     * experiments): EF21 with top-1 and a constant step reaches the minimiser mean(bᵢ).
     */
    @Test
    void ef21ConvergesOnAFederatedQuadratic() {
        float[][] b = {{1, -2, 3, 0}, {3, 0, -1, 2}};
        Ef21[] workers = {new Ef21(new TopK(0.25), false), new Ef21(new TopK(0.25), false)};
        StateTree st = new StateTree();
        for (int w = 0; w < 2; w++) workers[w].init(4, st, "w" + w, "w" + w + "-shared");
        float[] x = new float[4], msg = new float[4], mean = new float[4], dir = new float[4];
        for (int t = 0; t < 400; t++) {
            java.util.Arrays.fill(mean, 0f);
            for (int w = 0; w < 2; w++) {
                float[] grad = new float[4];
                for (int i = 0; i < 4; i++) grad[i] = x[i] - b[w][i];
                workers[w].encode(grad, msg, new Rng(t));
                for (int i = 0; i < 4; i++) mean[i] += msg[i] / 2;
            }
            workers[0].decode(mean, dir); // every rank holds the same server estimate; use one
            workers[1].decode(mean, new float[4]);
            for (int i = 0; i < 4; i++) x[i] -= 0.1f * dir[i];
        }
        float[] opt = {2, -1, 1, 1};
        for (int i = 0; i < 4; i++) assertEquals(opt[i], x[i], 1e-3, "coordinate " + i);
    }

    /** One worker on f(x) = ½x² (so ∇f(x) = x) with the identity compressor (top-k keeping all); returns x after each step. */
    private static float[] iterateOnHalfSquare(boolean normalized, float x0, float gamma, int steps) {
        Ef21 ef = new Ef21(new TopK(1.0), normalized);
        ef.init(1, new StateTree(), "ef", "ef-shared");
        float[] x = {x0}, msg = new float[1], dir = new float[1], out = new float[steps];
        ef.start(x, x);
        for (int t = 0; t < steps; t++) {
            ef.encode(x.clone(), msg, null);
            ef.decode(msg, dir);
            x[0] -= gamma * dir[0];
            out[t] = x[0];
        }
        return out;
    }

    /**
     * ‖EF21‖ moves by exactly γ per step: from 1 with γ = 0.25 it walks 0.75, 0.5, 0.25 to the
     * minimiser 0 and stays there (a zero estimate gives a zero direction, not 0/0); with
     * γ = 0.3 it cannot land on 0 and oscillates between 0.1 and −0.2, a γ-neighbourhood.
     */
    @Test
    void normalizedEf21TakesStepsOfExactlyGammaOnAOneDimensionalQuadratic() {
        assertArrayEquals(new float[] {0.75f, 0.5f, 0.25f, 0f, 0f}, iterateOnHalfSquare(true, 1f, 0.25f, 5));
        float[] x = iterateOnHalfSquare(true, 1f, 0.3f, 7);
        float[] expected = {0.7f, 0.4f, 0.1f, -0.2f, 0.1f, -0.2f, 0.1f};
        for (int t = 0; t < 7; t++) assertEquals(expected[t], x[t], 1e-6, "step " + (t + 1));
    }

    /** On ½x² (L = 1) plain EF21 is gradient descent, x ← (1 − γ)x: γ = 2.5 > 2/L multiplies x by −1.5 each step, while the normalized steps stay γ long. */
    @Test
    void plainEf21DivergesAboveTwoOverLWhereTheNormalizedOneStaysNearTheMinimiser() {
        float[] plain = iterateOnHalfSquare(false, 1f, 2.5f, 4);
        assertArrayEquals(new float[] {-1.5f, 2.25f, -3.375f, 5.0625f}, plain);
        float[] normalized = iterateOnHalfSquare(true, 1f, 2.5f, 4);
        assertArrayEquals(new float[] {-1.5f, 1f, -1.5f, 1f}, normalized);
    }

    /** After start(g, m) a worker whose gradient is still g sends nothing, and the direction is m. */
    @Test
    void ef21StartedAtTheGradientsSendsNothingUntilTheGradientChanges() {
        Ef21 ef = new Ef21(new TopK(0.5), false);
        ef.init(2, new StateTree(), "ef", "ef-shared");
        float[] g = {3, -1}, mean = {2, 4}, msg = new float[2], dir = new float[2];
        ef.start(g, mean);
        ef.encode(g, msg, null);
        assertArrayEquals(new float[] {0, 0}, msg);
        ef.decode(msg, dir);
        assertArrayEquals(mean, dir);
        ef.encode(new float[] {3, 1}, msg, null); // only the second coordinate changed
        assertArrayEquals(new float[] {0, 2}, msg);
    }
}
