package dopt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link MeritFedWeights} by hand on a tiny quadratic: x = (0, 0), the target's loss f(y) = ½|y − c|²
 * with c = (1, 0), so ∇f(y) = y − c; client 0's delta Δ₀ = (1, 0) moves toward c, client 1's Δ₁ = (−1, 0)
 * away from it; server step η = 1, mirror-descent step γ = 1, weights start at (½, ½).
 */
class MeritFedWeightsTest {
    private static final float[] X = {0, 0}, ROWS = {1, 0, -1, 0};
    private static final MeritFedWeights.TargetGradient QUADRATIC = (y, out) -> {
        out[0] = y[0] - 1;
        out[1] = y[1];
    };

    private static double[] solve(int steps) {
        double[] w = {0.5, 0.5};
        new MeritFedWeights(w, 1f, 1.0, steps, 2).solve(X, ROWS, QUADRATIC);
        return w;
    }

    @Test
    void oneStepMovesWeightToTheClientWhoseDeltaLowersTheTargetsLoss() {
        // y = x + η(½Δ₀ + ½Δ₁) = (0, 0); ∇f(y) = (−1, 0); ∂φ/∂wⱼ = η⟨∇f(y), Δⱼ⟩ = (−1, +1);
        // v ∝ w·exp(−γ∂φ/∂w) = (½e, ½e⁻¹), so v₀ = 1/(1 + e⁻²) = 0.8807971, v₁ = 0.1192029; at t = 0 the average is v
        double[] w = solve(1);
        assertEquals(1 / (1 + Math.exp(-2)), w[0], 1e-7);
        assertEquals(1 / (1 + Math.exp(2)), w[1], 1e-7);
    }

    @Test
    void theSecondStepStartsFromTheFirstAndIsAveragedWithIt() {
        // after step 0: w = (a, 1 − a), a = 1/(1 + e⁻²); y = (a − (1 − a), 0) = (2a − 1, 0) = (tanh 1, 0);
        // ∇f(y) = (tanh 1 − 1, 0), so ∂φ/∂w = (tanh 1 − 1, 1 − tanh 1) and with d = 1 − tanh 1 = 0.2384058,
        // v₀ = a·e^d / (a·e^d + (1 − a)·e^−d) = 0.9225003; at t = 1: w₀ = ½a + ½v₀ = 0.9016487
        double a = 1 / (1 + Math.exp(-2)), d = 1 - Math.tanh(1);
        double v0 = a * Math.exp(d) / (a * Math.exp(d) + (1 - a) * Math.exp(-d));
        double[] w = solve(2);
        assertEquals(0.5 * a + 0.5 * v0, w[0], 1e-7);
        assertEquals(0.9016487, w[0], 1e-6);
        assertEquals(1, w[0] + w[1], 1e-12, "on the simplex");
    }

    @Test
    void theAggregatedDeltaIsTheWeightedSumOfTheRows() {
        double[] w = {0.25, 0.75};
        float[] out = new float[2];
        new MeritFedWeights(w, 1f, 1.0, 1, 2).combine(new float[] {4, 8, -4, 0}, out);
        assertEquals(0.25 * 4 - 0.75 * 4, out[0], 0);
        assertEquals(0.25 * 8, out[1], 0);
    }

    @Test
    void aWeightAtZeroStaysThereAndHugeExponentsDoNotOverflow() {
        // Δ₀ = (1000, 0): the exponent γη·1000 would overflow exp unshifted; client 1 at weight 0 stays at 0
        double[] w = {1, 0};
        new MeritFedWeights(w, 1f, 1.0, 3, 2).solve(X, new float[] {1000, 0, -1000, 0}, QUADRATIC);
        assertEquals(1, w[0], 0);
        assertEquals(0, w[1], 0);
    }
}
