package dopt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dopt.job.Job;
import dopt.state.StateTree;
import org.junit.jupiter.api.Test;

/** The server's step on a mean client delta, checked against the formulas of FedOpt by hand. */
class ServerOptimizerTest {

    private static Job.Federated section(String json) throws Exception {
        return dopt.job.JobFile.parse("{\"federated\": " + json + "}", "t").federated;
    }

    @Test
    void fedAdamsFirstTwoRoundsByHand() throws Exception {
        ServerOptimizer adam = new ServerOptimizer(
                section("{\"server_optimizer\": \"adam\", \"server_lr\": 0.1, \"beta1\": 0.9, \"beta2\": 0.99, \"tau\": 0.001}"),
                2, new StateTree());
        float[] x = {1f, 2f};
        adam.apply(x, new float[] {0.5f, -0.2f}, 2);
        // m = 0.1·Δ = (0.05, -0.02); v = 0.01·Δ² = (0.0025, 0.0004); √v = (0.05, 0.02)
        // x = (1 + 0.1·0.05/0.051, 2 − 0.1·0.02/0.021) = (1.0980392, 1.9047619)
        assertArrayEquals(new float[] {1.0980392f, 1.9047619f}, x, 1e-6f);
        adam.apply(x, new float[] {0.5f, 0f}, 2);
        // m = (0.9·0.05 + 0.05, 0.9·(-0.02)) = (0.095, -0.018); v = (0.99·0.0025 + 0.0025, 0.99·0.0004) = (0.004975, 0.000396)
        // x += 0.1·m / (√v + 0.001) = (0.1·0.095/0.0715333, -0.1·0.018/0.0208997) = (0.1328053, -0.0861257)
        assertArrayEquals(new float[] {1.0980392f + 0.1328053f, 1.9047619f - 0.0861257f}, x, 2e-6f);
    }

    @Test
    void serverSgdIsXPlusLrTimesTheDeltaAndWithMomentumItsHeavyBall() throws Exception {
        float[] x = {1f, -1f};
        new ServerOptimizer(section("{\"server_lr\": 0.5}"), 2, new StateTree()).apply(x, new float[] {0.2f, 0.4f}, 2);
        assertArrayEquals(new float[] {1.1f, -0.8f}, x, 1e-7f);
        ServerOptimizer m = new ServerOptimizer(section("{\"server_lr\": 1.0, \"momentum\": 0.5}"), 1, new StateTree());
        float[] y = {0f};
        m.apply(y, new float[] {1f}, 1); // m = 1, y = 1
        m.apply(y, new float[] {1f}, 1); // m = 1.5, y = 2.5
        assertArrayEquals(new float[] {2.5f}, y, 0f);
    }
}
