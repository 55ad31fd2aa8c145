package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import org.junit.jupiter.api.Test;

class ConceptBottleneckTest {
    private static final int D = 6, C = 4, K = 3, B = 5;

    private static float[] features() {
        Rng r = new Rng(11);
        float[] x = new float[B * D];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /** Class k's concepts: class 0 → {0, 1}, class 1 → {1, 2}, class 2 → {3}. */
    private static final float[][] TABLE = {{1, 1, 0, 0}, {0, 1, 1, 0}, {0, 0, 0, 1}};
    private static final int[] Y = {0, 1, 2, 1, 0};

    private static float[] targets() {
        float[] t = new float[B * C];
        for (int i = 0; i < B; i++) System.arraycopy(TABLE[Y[i]], 0, t, i * C, C);
        return t;
    }

    private static ConceptBottleneck model(ConceptObjective o) {
        ConceptBottleneck m = new ConceptBottleneck(D, C, K, B, o);
        m.init(new Rng(3));
        // keep every weight away from |w| < 0.05 so that no ±2h step of the check crosses the ℓ1 kink
        float[] w = m.params().get(0).value();
        for (int i = 0; i < w.length; i++) if (Math.abs(w[i]) < 0.05f) w[i] = w[i] < 0 ? -0.05f - w[i] : 0.05f + w[i];
        for (Param p : m.params()) if (p.role() == Param.Role.BIAS) for (int i = 0; i < p.size(); i++) p.value()[i] = 0.1f * (i - 1);
        return m;
    }

    private static void gradientMatchesFiniteDifferences(ConceptObjective o) {
        ConceptBottleneck m = model(o);
        float[] x = features(), t = targets();
        m.forwardBackward(x, Y, t, B, new Rng(5));
        // the same seed replays the same Gumbel noise, so the objective is a fixed smooth function of the weights
        int checked = GradientCheck.check(m.params(), () -> m.objectiveValue(x, Y, t, B, new Rng(5)), new Rng(9));
        assertEquals(C * D + C + K * C + K, checked);
    }

    @Test void crossEntropyOnlyGradientMatchesFiniteDifferences() { gradientMatchesFiniteDifferences(ConceptObjective.none()); }

    @Test void l1GradientMatchesFiniteDifferences() { gradientMatchesFiniteDifferences(ConceptObjective.l1(0.3)); }

    @Test void contrastiveGradientMatchesFiniteDifferences() { gradientMatchesFiniteDifferences(ConceptObjective.contrastive(0.7)); }

    @Test void gumbelGradientMatchesFiniteDifferencesThroughTheSoftmaxGate() { gradientMatchesFiniteDifferences(ConceptObjective.gumbel(0.7, 0.5)); }

    @Test void gumbelLossWithTheHeadOnRawActivationsGradientMatchesFiniteDifferences() { gradientMatchesFiniteDifferences(ConceptObjective.gumbelLossOnly(0.7, 0.5)); }

    @Test
    void gumbelSoftmaxWithoutNoiseAtTinyTemperatureIsTheArgmaxOneHot() {
        float[] l = {0.3f, 1.2f, -0.5f, 1.1f}, s = new float[4];
        GumbelSoftmax.forward(l, null, 0, 4, 1e-3, s, 0);
        assertArrayEquals(new float[] {0, 1, 0, 0}, s, 1e-6f);
    }

    @Test
    void gumbelSoftmaxWithoutNoiseAtUnitTemperatureIsTheSoftmax() {
        float[] l = {0, (float) Math.log(3)}, s = new float[2];
        GumbelSoftmax.forward(l, null, 0, 2, 1, s, 0);
        assertArrayEquals(new float[] {0.25f, 0.75f}, s, 1e-6f);
        // τ = 1/2 squares the odds: 1 : 9
        GumbelSoftmax.forward(l, null, 0, 2, 0.5, s, 0);
        assertArrayEquals(new float[] {0.1f, 0.9f}, s, 1e-6f);
    }

    @Test
    void theArgmaxOfGumbelPerturbedLogitsSamplesTheSoftmax() {
        // Gumbel-max trick: P(argmax_j (l_j + g_j) = 1) = softmax(l)_1 = 0.75 for l = (0, ln 3)
        float[] l = {0, (float) Math.log(3)}, g = new float[2];
        Rng rng = new Rng(1);
        int n = 20000, ones = 0;
        for (int s = 0; s < n; s++) {
            GumbelSoftmax.noise(rng, g, 0, 2);
            if (l[1] + g[1] > l[0] + g[0]) ones++;
        }
        // binomial std sqrt(0.75·0.25/20000) = 0.0031; 4 std
        assertEquals(0.75, (double) ones / n, 0.0125);
    }

    @Test
    void l1PenaltyGradientIsLambdaOverConceptsTimesTheSignOfEachWeight() {
        double lambda = 0.2;
        ConceptBottleneck m = model(ConceptObjective.l1(lambda));
        java.util.Arrays.fill(m.params().get(2).value(), 0f); // zero head: the cross-entropy sends nothing back to W_c
        java.util.Arrays.fill(m.params().get(3).value(), 0f);
        float[] w = m.params().get(0).value();
        m.forwardBackward(features(), Y, null, B, new Rng(1));
        float[] g = m.params().get(0).grad();
        double l1 = 0;
        for (int i = 0; i < w.length; i++) {
            assertEquals(Math.signum(w[i]) * lambda / C, g[i], 1e-7, "weight " + i + " = " + w[i]);
            l1 += Math.abs(w[i]);
        }
        assertEquals(l1 / C, m.lastConceptLoss(), 1e-5);
        assertEquals(Math.log(K) + lambda * l1 / C, m.objectiveValue(features(), Y, null, B, new Rng(1)), 1e-5, "uniform logits: CE = ln K");
    }

    @Test
    void contrastiveLossOnATwoByTwoCaseMatchesTheHandValue() {
        ConceptAlignmentLoss loss = new ConceptAlignmentLoss(2, 2, 1, false);
        float[] eye = {1, 0, 0, 1};
        // a = I: each row and column puts e/(e+1) on its positive, loss = ln(1 + 1/e)
        assertEquals(Math.log(1 + Math.exp(-1)), loss.apply(new float[] {1, 0, 0, 1}, eye, 2, 2, null, 1, null), 1e-6);
        // a = [[2, 0], [1, 1]]: rows ln(1+e^-2) and ln 2, columns ln(1+e^-1) twice
        double rows = (Math.log(1 + Math.exp(-2)) + Math.log(2)) / 2, cols = Math.log(1 + Math.exp(-1));
        float[] grad = new float[4];
        assertEquals(0.5 * (rows + cols), loss.apply(new float[] {2, 0, 1, 1}, eye, 2, 2, null, 1, grad), 1e-6);
        // ∂/∂a_00 = ½[(p_row − 1)/2 + (p_col − 1)/2] with p_row = e²/(e²+1), p_col = e²/(e²+e)
        double pr = Math.exp(2) / (Math.exp(2) + 1), pc = Math.exp(2) / (Math.exp(2) + Math.E);
        assertEquals(0.5 * ((pr - 1) / 2 + (pc - 1) / 2), grad[0], 1e-6);
    }

    @Test
    void allOnesTargetsGiveTheReferenceMeanOfMinusLogSoftmaxOverEveryEntry() {
        // the reference Gumbel loss (noise aside) averages −log softmax over all entries, both directions
        float[] a = {0.5f, -1, 2, 0.3f, 0, 1}, ones = {1, 1, 1, 1, 1, 1};
        double rowMean = 0, colMean = 0;
        for (int i = 0; i < 2; i++) {
            double z = 0;
            for (int j = 0; j < 3; j++) z += Math.exp(a[i * 3 + j]);
            for (int j = 0; j < 3; j++) rowMean -= (a[i * 3 + j] - Math.log(z)) / 6;
        }
        for (int j = 0; j < 3; j++) {
            double z = Math.exp(a[j]) + Math.exp(a[3 + j]);
            for (int i = 0; i < 2; i++) colMean -= (a[i * 3 + j] - Math.log(z)) / 6;
        }
        assertEquals(0.5 * (rowMean + colMean), new ConceptAlignmentLoss(2, 3, 1, false).apply(a, ones, 2, 3, null, 1, null), 1e-6);
    }

    @Test
    void theSparseGateGivesEachSampleAConceptDistribution() {
        ConceptBottleneck m = model(ConceptObjective.gumbel(1, 0.5));
        float[] z = new float[B * C];
        m.evaluate(features(), Y, B, z);
        for (int i = 0; i < B; i++) {
            double s = 0;
            for (int j = 0; j < C; j++) {
                assertTrue(z[i * C + j] >= 0);
                s += z[i * C + j];
            }
            assertEquals(1, s, 1e-5);
        }
    }

    @Test
    void badHyperParametersAndMissingTargetsAreRejectedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConceptObjective.gumbel(1, 0)).getMessage().contains("tau"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConceptObjective.l1(Double.NaN)).getMessage().contains("NaN"));
        ConceptBottleneck m = model(ConceptObjective.contrastive(1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.forwardBackward(features(), Y, null, B, new Rng(1))).getMessage().contains("targets"));
        float[] bad = targets();
        bad[0] = -1;
        assertThrows(IllegalArgumentException.class, () -> m.forwardBackward(features(), Y, bad, B, new Rng(1)));
    }
}
