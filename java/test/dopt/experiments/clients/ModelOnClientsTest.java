package dopt.experiments.clients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dopt.data.Dataset;
import dopt.nn.LogisticRegression;
import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class ModelOnClientsTest {

    /** Four rows, two features: x = (1,0), (0,1), (2,0), (0,2) with labels 1, 0, 1, 0. */
    private static Dataset tiny() {
        return new Dataset("tiny", new float[] {1, 0, 0, 1, 2, 0, 0, 2}, new int[] {1, 0, 1, 0}, 4, 2, 2);
    }

    private static ModelOnClients logistic(int batch, double lambda) {
        LogisticRegression m = new LogisticRegression(2, 2);
        m.init(new Rng(1)); // zero weights
        return new ModelOnClients("tiny logistic", m, tiny(), tiny(), 2, batch, lambda, 5);
    }

    /**
     * At x = 0 every σ is 1/2, so the full gradient is mean((1/2 − y)·x) = (−0.375, 0.375) for w and
     * 0 for b, and the loss ln 2; two clients with two rows each average to exactly that.
     */
    @Test
    void clientsFullGradientsAverageToTheHandComputedGradient() {
        ModelOnClients p = logistic(0, 0);
        assertEquals(3, p.dim());
        float[] x = new float[3], g = new float[3], mean = new float[3];
        p.start(x);
        assertArrayEquals(new float[3], x);
        double loss = 0;
        for (int c = 0; c < 2; c++) {
            loss += p.gradient(c, x, g) / 2;
            for (int j = 0; j < 3; j++) mean[j] += g[j] / 2;
        }
        assertArrayEquals(new float[] {-0.375f, 0.375f, 0f}, mean, 1e-7f);
        assertEquals(Math.log(2), loss, 1e-6);
        assertEquals(Math.log(2), p.loss(x), 1e-6);
        assertEquals(0.5, p.testAccuracy(x), 1e-12); // z = 0 predicts class 0 everywhere
    }

    /** λ Σ x²/(1 + x²) at w = (1, 0), b = 0 adds λ/2 to the loss and 2λ·1/(1 + 1)² = λ/2 to the first gradient entry. */
    @Test
    void theNonConvexRegulariserAddsItsValueAndGradient() {
        ModelOnClients plain = logistic(0, 0), reg = logistic(0, 0.2);
        float[] x = {1, 0, 0}, g0 = new float[3], g1 = new float[3];
        double l0 = plain.gradient(0, x, g0), l1 = reg.gradient(0, x, g1);
        assertEquals(0.1, l1 - l0, 1e-6);
        assertArrayEquals(new float[] {g0[0] + 0.1f, g0[1], g0[2]}, g1, 1e-6f);
        assertEquals(plain.loss(x) + 0.1, reg.loss(x), 1e-6);
    }

    /** Batches of one walk through a client's shard without replacement: over one local epoch they average to its full gradient. */
    @Test
    void miniBatchesCoverTheShardOncePerEpoch() {
        ModelOnClients full = logistic(0, 0), stochastic = logistic(1, 0);
        float[] x = {0.3f, -0.2f, 0.1f}, g = new float[3], sum = new float[3], expected = new float[3];
        for (int c = 0; c < 2; c++) {
            full.gradient(c, x, expected);
            java.util.Arrays.fill(sum, 0f);
            for (int k = 0; k < 2; k++) {
                stochastic.gradient(c, x, g);
                for (int j = 0; j < 3; j++) sum[j] += g[j] / 2;
            }
            assertArrayEquals(expected, sum, 1e-6f, "client " + c);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        LogisticRegression m = new LogisticRegression(2, 2);
        assertThrows(IllegalArgumentException.class, () -> new ModelOnClients("t", m, tiny(), null, 2, 3, 0, 1));   // batch > maxBatch
        assertThrows(IllegalArgumentException.class, () -> new ModelOnClients("t", m, tiny(), null, 2, 0, -1, 1));  // negative lambda
        assertThrows(IllegalArgumentException.class, () -> new ModelOnClients("t", m, tiny(), null, 5, 0, 0, 1));   // 4 rows, 5 clients
        assertThrows(IllegalArgumentException.class, () -> new ModelOnClients("t", new LogisticRegression(3, 2), tiny(), null, 2, 0, 0, 1));
    }
}
