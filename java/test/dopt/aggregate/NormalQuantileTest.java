package dopt.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Φ⁻¹ against published values (Abramowitz and Stegun table 26.5 to their digits; the rest as R's
 * qnorm, the same AS 241, prints them), in each of AS 241's three regions.
 */
class NormalQuantileTest {
    @Test
    void centralRegion() {
        assertEquals(0, NormalQuantile.of(0.5), 0);
        assertEquals(1.959963984540054, NormalQuantile.of(0.975), 1e-14);
        assertEquals(-1.959963984540054, NormalQuantile.of(0.025), 1e-14);
        assertEquals(1.2815515655446004, NormalQuantile.of(0.9), 1e-14);
        assertEquals(0.6744897501960817, NormalQuantile.of(0.75), 1e-14);
    }

    @Test
    void tails() {
        assertEquals(-3.090232306167813, NormalQuantile.of(0.001), 1e-13);
        assertEquals(-6.361340902404056, NormalQuantile.of(1e-10), 1e-12);
        assertEquals(-9.262340089798408, NormalQuantile.of(1e-20), 1e-12); // r > 5: the third approximation
        assertEquals(7.034486910047836, NormalQuantile.of(1 - 1e-12), 1e-6); // 1 − 1e-12 is itself rounded
    }

    @Test
    void isOddAroundOneHalfAndDefinedOnlyInside() {
        for (double p : new double[] {0.01, 0.2, 0.4, 0.49})
            assertEquals(-NormalQuantile.of(p), NormalQuantile.of(1 - p), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> NormalQuantile.of(0));
        assertThrows(IllegalArgumentException.class, () -> NormalQuantile.of(1));
        assertThrows(IllegalArgumentException.class, () -> NormalQuantile.of(Double.NaN));
    }
}
