package dopt.experiments.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeparableQuarticTest {

    /** Two clients on one coordinate, f₁ = (x + 1)⁴/4 and f₂ = (x − 1)⁴/4: f = ((x+1)⁴ + (x−1)⁴)/8. */
    private static SeparableQuartic twoCentres() {
        return new SeparableQuartic(1, new float[] {1, 1}, new float[] {0, 0}, new float[] {-1, 1}, new float[] {1});
    }

    @Test
    void clientGradientsAndLossesAreTheHandComputedOnes() {
        SeparableQuartic p = twoCentres();
        float[] x = new float[1], g = new float[1];
        p.start(x);
        assertArrayEquals(new float[] {1}, x);
        assertEquals(4.0, p.gradient(0, x, g), 1e-12); // (1 + 1)⁴/4
        assertArrayEquals(new float[] {8}, g);         // (1 + 1)³
        assertEquals(0.0, p.gradient(1, x, g), 1e-12);
        assertArrayEquals(new float[] {0}, g);
        assertEquals(2.0, p.loss(x), 1e-12);            // the mean of the clients' losses
    }

    /** By symmetry the minimiser is 0 and f* = (1 + 1)/8. */
    @Test
    void theOptimumOfTheSymmetricPairIsAQuarter() {
        SeparableQuartic p = twoCentres();
        assertEquals(0.0, p.argminCoordinate(0), 1e-12);
        assertEquals(0.25, p.optimum(), 1e-12);
    }

    /** On a random instance: the gradient is the finite difference of the loss, and f* is a minimum the mean gradient vanishes at. */
    @Test
    void aRandomInstanceHasConsistentGradientsAndATrueMinimum() {
        SeparableQuartic p = new SeparableQuartic(5, 3, 2.0, 7);
        float[] x = new float[5], g = new float[5], mean = new float[5];
        p.start(x);
        for (int i = 0; i < 3; i++) {
            p.gradient(i, x, g);
            for (int j = 0; j < 5; j++) mean[j] += g[j] / 3;
        }
        for (int j = 0; j < 5; j++) {
            float[] up = x.clone(), down = x.clone();
            double h = 1e-3;
            up[j] += (float) h;
            down[j] -= (float) h;
            double fd = (p.loss(up) - p.loss(down)) / ((double) up[j] - down[j]);
            assertEquals(fd, mean[j], 1e-3 * Math.max(1, Math.abs(fd)), "coordinate " + j);
        }
        float[] star = new float[5];
        for (int j = 0; j < 5; j++) star[j] = (float) p.argminCoordinate(j);
        assertEquals(p.optimum(), p.loss(star), 1e-5 * Math.abs(p.optimum()));
        for (int j = 0; j < 5; j++) {
            float[] moved = star.clone();
            moved[j] += 0.01f;
            assertTrue(p.loss(moved) > p.optimum(), "f* is not a minimum along coordinate " + j);
        }
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SeparableQuartic(0, 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SeparableQuartic(4, 3, Double.NaN, 1));
    }
}
