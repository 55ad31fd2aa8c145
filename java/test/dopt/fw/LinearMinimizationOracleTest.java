package dopt.fw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinearMinimizationOracleTest {

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    @Test
    void theL1BallAnswersTheSignedVertexOfTheLargestGradientEntry() {
        L1Ball ball = new L1Ball(3, 3);
        float[] g = {0.5f, -2f, 1f}, s = new float[3];
        ball.minimize(g, s);
        assertArrayEquals(new float[] {0, 3, 0}, s);
        assertTrue(ball.contains(s, 1e-9));
        for (int i = 0; i < 3; i++)
            for (int sign = -1; sign <= 1; sign += 2) {
                float[] vertex = new float[3];
                vertex[i] = 3f * sign;
                assertTrue(dot(g, s) <= dot(g, vertex), "vertex " + i + " sign " + sign);
            }
        assertFalse(ball.contains(new float[] {2, -1.5f, 0}, 1e-6), "‖x‖₁ = 3.5 > 3");
    }

    @Test
    void theSimplexAnswersTheUnitVectorOfTheSmallestGradientEntry() {
        Simplex simplex = new Simplex(3);
        float[] g = {3f, -1f, 2f}, s = new float[3];
        simplex.minimize(g, s);
        assertArrayEquals(new float[] {0, 1, 0}, s);
        assertTrue(simplex.contains(s, 1e-9));
        for (int i = 0; i < 3; i++) {
            float[] vertex = new float[3];
            vertex[i] = 1f;
            assertTrue(dot(g, s) <= dot(g, vertex));
        }
        assertFalse(simplex.contains(new float[] {0.5f, 0.6f, 0f}, 1e-6), "sums to 1.1");
        assertFalse(simplex.contains(new float[] {1.2f, -0.2f, 0f}, 1e-6), "negative entry");
    }

    @Test
    void theNuclearBallAnswersMinusRTimesTheTopSingularPair() {
        // G = [[1,2],[2,1]] has σ₁ = 3 with u₁ = v₁ = (1,1)/√2, so LMO = −2·u₁v₁ᵀ = −[[1,1],[1,1]]
        NuclearNormBall ball = new NuclearNormBall(2, 2, 2);
        float[] g = {1, 2, 2, 1}, s = new float[4];
        ball.minimize(g, s);
        assertArrayEquals(new float[] {-1, -1, -1, -1}, s, 1e-5f);
        assertEquals(-6, dot(g, s), 1e-5, "⟨G, s⟩ = −r σ₁");
        assertEquals(2, ball.nuclearNorm(s), 1e-5);
        // no extreme point r·u vᵀ (unit u, v on a grid of angles) does better
        for (int a = 0; a < 36; a++)
            for (int b = 0; b < 36; b++) {
                double al = a * Math.PI / 18, be = b * Math.PI / 18;
                float[] e = {(float) (2 * Math.cos(al) * Math.cos(be)), (float) (2 * Math.cos(al) * Math.sin(be)),
                        (float) (2 * Math.sin(al) * Math.cos(be)), (float) (2 * Math.sin(al) * Math.sin(be))};
                assertTrue(dot(g, s) <= dot(g, e) + 1e-5, "angles " + a + "," + b);
            }
    }

    @Test
    void theNuclearBallHandlesNonSquareMatrices() {
        // G = [[3,0,0],[0,0,-4]]: σ₁ = 4 at u = e₂, v = −e₃, so s = −r·u vᵀ puts +r at (1,2)
        NuclearNormBall ball = new NuclearNormBall(2, 3, 1.5);
        float[] g = {3, 0, 0, 0, 0, -4}, s = new float[6];
        ball.minimize(g, s);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1.5f}, s, 1e-6f);
        assertTrue(ball.contains(s, 1e-5));
        assertFalse(ball.contains(new float[] {1, 0, 0, 0, 1, 0}, 1e-5), "nuclear norm 2 > 1.5");
    }

    @Test
    void badRadiiAndNonFiniteDirectionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new L1Ball(3, 0));
        assertThrows(IllegalArgumentException.class, () -> new NuclearNormBall(2, 2, Double.NaN));
        var ex = assertThrows(IllegalArgumentException.class, () -> new L1Ball(2, 1).minimize(new float[] {1, Float.NaN}, new float[2]));
        assertTrue(ex.getMessage().contains("g[1]"), ex.getMessage());
    }
}
