package dopt.markov;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class MarkovChainsTest {

    @Test
    void ar1HasTheStationaryVarianceAndTheLagOneCorrelationOfItsMixingTime() {
        Ar1Chain chain = Ar1Chain.withMixingTime(1, 5, 2, new Rng(7));
        assertEquals(0.8, chain.rho(), 1e-15);
        assertEquals(5, chain.mixingTime(), 1e-12);
        int n = 200_000;
        double[] z = new double[1];
        double prev = 0, sum = 0, sq = 0, lag = 0;
        for (int t = 0; t < n; t++) {
            chain.next(z);
            sum += z[0];
            sq += z[0] * z[0];
            lag += z[0] * prev;
            prev = z[0];
        }
        double var = sq / n - (sum / n) * (sum / n);
        assertEquals(4, var, 0.15);
        assertEquals(0.8, lag / sq, 0.02);
    }

    @Test
    void lazyWalkStaysWithProbabilityOneMinusPAndVisitsEveryPointEqually() {
        double[] points = {0, 1, 2, 3};
        LazyRandomWalk walk = LazyRandomWalk.withMixingTime(points, 1, 4, new Rng(3));
        assertEquals(4, walk.mixingTime(), 0);
        int n = 200_000, stays = 0;
        int[] visits = new int[4];
        double[] z = new double[1];
        int prev = walk.index();
        for (int t = 0; t < n; t++) {
            walk.next(z);
            assertEquals(points[walk.index()], z[0], 0);
            if (walk.index() == prev) stays++;
            visits[walk.index()]++;
            prev = walk.index();
        }
        // P(same point) = (1 - p) + p / n = 0.75 + 0.0625
        assertEquals(0.8125, (double) stays / n, 0.01);
        for (int v : visits) assertEquals(0.25, (double) v / n, 0.02);
    }
}
