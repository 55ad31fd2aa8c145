package dopt.experiments.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.compress.TopK;
import org.junit.jupiter.api.Test;

class ErrorFeedbackGdTest {

    /** f = ((x+1)⁴ + (x−1)⁴)/8 over two clients, from x⁰ = 1 where the clients' gradients are 8 and 0. */
    private static SeparableQuartic twoCentres() {
        return new SeparableQuartic(1, new float[] {1, 1}, new float[] {0, 0}, new float[] {-1, 1}, new float[] {1});
    }

    private static double f(double x) { return (Math.pow(x + 1, 4) + Math.pow(x - 1, 4)) / 8; }

    /** With the identity compressor (top-k keeping all) EF21 is gradient descent: x¹ = 1 − 0.1·mean(8, 0) = 0.6. */
    @Test
    void ef21WithTheIdentityCompressorIsGradientDescent() {
        ErrorFeedbackGd.Result r = ErrorFeedbackGd.run(twoCentres(), EfMethod.EF21, () -> new TopK(1.0), 0.1, 2, 1);
        assertEquals(2.0, r.curve()[0], 1e-12);
        assertEquals(f(0.6), r.curve()[1], 1e-6);
        assertFalse(r.diverged());
    }

    /** ‖EF21‖ moves by γ whatever the gradient's size: x¹ = 0.9, x² = 0.8. */
    @Test
    void normalizedEf21MovesByExactlyTheStep() {
        ErrorFeedbackGd.Result r = ErrorFeedbackGd.run(twoCentres(), EfMethod.EF21_NORMALIZED, () -> new TopK(1.0), 0.1, 2, 1);
        assertEquals(f(0.9), r.curve()[1], 1e-6);
        assertEquals(f(0.8), r.finalLoss(), 1e-6);
    }

    /**
     * γ = 1 overshoots the quartic's curvature at x⁰ (f''(1) = 3): EF21 goes to x¹ = 1 − 4 = −3, where
     * the mean gradient is −36, then to 33 and on to overflow; ‖EF21‖ steps from 1 to the minimiser 0
     * and stays there.
     */
    @Test
    void aLargeStepBlowsUpEf21ButNotTheNormalizedMethod() {
        ErrorFeedbackGd.Result plain = ErrorFeedbackGd.run(twoCentres(), EfMethod.EF21, () -> new TopK(1.0), 1.0, 50, 1);
        assertTrue(plain.diverged());
        assertEquals(Double.POSITIVE_INFINITY, plain.finalLoss());
        ErrorFeedbackGd.Result normalized = ErrorFeedbackGd.run(twoCentres(), EfMethod.EF21_NORMALIZED, () -> new TopK(1.0), 1.0, 50, 1);
        assertFalse(normalized.diverged());
        assertTrue(normalized.finalLoss() <= f(1.0), "ends no higher than it started: " + normalized.finalLoss());
    }

    /** Bytes per client: EF21's dense first round (4d) plus top-k's 8k per round; EF14 only the latter. */
    @Test
    void bytesCountTheDenseStartOfEf21() {
        SeparableQuartic p = new SeparableQuartic(10, 2, 1.0, 3);
        assertEquals(40 + 5 * 8 * 2, ErrorFeedbackGd.run(p, EfMethod.EF21, () -> new TopK(0.2), 0.01, 5, 1).bytesPerClient());
        assertEquals(5 * 8 * 2, ErrorFeedbackGd.run(p, EfMethod.EF14, () -> new TopK(0.2), 0.01, 5, 1).bytesPerClient());
    }

    @Test
    void badStepsAndRoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ErrorFeedbackGd.run(twoCentres(), EfMethod.EF21, () -> new TopK(1.0), 0, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> ErrorFeedbackGd.run(twoCentres(), EfMethod.EF21, () -> new TopK(1.0), Double.NaN, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> ErrorFeedbackGd.run(twoCentres(), EfMethod.EF21, () -> new TopK(1.0), 0.1, 0, 1));
    }
}
