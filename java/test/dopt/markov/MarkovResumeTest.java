package dopt.markov;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dopt.io.Checkpoint;
import dopt.random.Rng;
import dopt.state.StateTree;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Markov method, its MLMC estimator and its chain resume bit-exactly from a checkpoint file
 * of the state tree: k steps, {@link Checkpoint#write}, then a fresh object built from another
 * seed and start, whose tree is restored from {@link Checkpoint#read}, continues exactly as the
 * uninterrupted run.
 */
class MarkovResumeTest {
    @TempDir Path dir;

    /** Eight rows of three numbers, so that two walks rarely sit on the same row by chance. */
    private static final double[] ROWS = new double[24];

    static {
        for (int i = 0; i < ROWS.length; i++) ROWS[i] = Math.sin(1.7 * i) * (1 + i % 5);
    }

    /** F(x, z) = x − z, row-wise: pulls x towards the chain's samples. */
    private static final StochasticOperator PULL = new StochasticOperator() {
        @Override public int dim() { return 3; }
        @Override public void apply(double[] x, double[] z, double[] out) { for (int i = 0; i < 3; i++) out[i] = x[i] - z[i]; }
    };

    private static final StochasticOperator QUADRATIC = new NoisyQuadraticGradient(new double[] {1, 2, 0.5}, new double[] {1, -1, 2});

    private static MlmcBatchEstimator ar1(long seed, int batch, int maxBatch) {
        return new MlmcBatchEstimator(Ar1Chain.withMixingTime(3, 4, 1, Rng.derive(seed, 1)), QUADRATIC, batch, maxBatch, Rng.derive(seed, 2));
    }

    private static MlmcBatchEstimator walk(long seed, int batch, int maxBatch) {
        return new MlmcBatchEstimator(LazyRandomWalk.withMixingTime(ROWS, 3, 3, Rng.derive(seed, 1)), PULL, batch, maxBatch, Rng.derive(seed, 2));
    }

    private static double[] start(long seed) { return new double[] {seed, -0.5 * seed, 0.25}; }

    private record Maker(String name, LongFunction<MarkovMethod> make) {}

    private static final List<Maker> MAKERS = List.of(
            new Maker("SGD, AR(1), MLMC", s -> new MarkovSgd(ar1(s, 2, 8), 0.05, start(s))),
            new Maker("SGD, walk, batch 1", s -> new MarkovSgd(walk(s, 1, 1), 0.1, start(s))),
            new Maker("ASGD, AR(1), MLMC", s -> MarkovAcceleratedSgd.withTheoryMomenta(ar1(s, 1, 16), 0.05, 0.1, 0.5, start(s))),
            new Maker("EG, walk, MLMC", s -> new MarkovExtragradient(walk(s, 1, 4), 0.1, start(s))),
            new Maker("EG, AR(1), MLMC", s -> new MarkovExtragradient(ar1(s, 2, 4), 0.05, start(s))));

    @Test
    void everyMethodResumesFromACheckpointFileBitExactly() throws Exception {
        for (Maker m : MAKERS)
            for (int k : new int[] {2, 5, 9}) { // several cut points: a walk that jumps right after one hides its position
                String at = m.name() + ", resumed after " + k + " steps";
                StateTree tree = new StateTree();
                MarkovMethod a = m.make().apply(1);
                a.register(tree, "markov");
                for (int t = 0; t < k; t++) a.step();
                Path file = dir.resolve(Checkpoint.fileName("ckpt-", k));
                Checkpoint.write(tree, file, Map.of("step", Integer.toString(k)));
                for (int t = 0; t < 11; t++) a.step();

                StateTree fresh = new StateTree();
                MarkovMethod b = m.make().apply(5); // another seed and start: everything must come from the file
                b.register(fresh, "markov");
                assertEquals(List.copyOf(tree.leaves().keySet()), List.copyOf(fresh.leaves().keySet()), at);
                fresh.restoreFrom(Checkpoint.read(file).tree());
                for (int t = 0; t < 11; t++) b.step();

                assertArrayEquals(bits(a.x()), bits(b.x()), at + ": x");
                assertEquals(a.samples(), b.samples(), at + ": samples");
                if (a instanceof MarkovAcceleratedSgd acc)
                    assertArrayEquals(bits(acc.momentum()), bits(((MarkovAcceleratedSgd) b).momentum()), at + ": momentum");
                if (a instanceof MarkovExtragradient eg)
                    assertArrayEquals(bits(eg.halfStep()), bits(((MarkovExtragradient) b).halfStep()), at + ": half step");
                assertNotEquals(bits(m.make().apply(5).x())[0], bits(a.x())[0], at + ": the run moved away from the other start");
            }
    }

    @Test
    void theTreeNamesTheMethodsEstimatorsAndChainsState() {
        StateTree tree = new StateTree();
        MAKERS.get(2).make().apply(1).register(tree, "asgd");
        assertEquals(List.of("asgd/x_f", "asgd/x", "asgd/mlmc/samples", "asgd/mlmc/rng", "asgd/mlmc/chain/z", "asgd/mlmc/chain/rng"),
                List.copyOf(tree.leaves().keySet()));
        StateTree walkTree = new StateTree();
        walk(1, 1, 1).register(walkTree, "mlmc");
        assertEquals(List.of("mlmc/samples", "mlmc/rng", "mlmc/chain/position", "mlmc/chain/rng"), List.copyOf(walkTree.leaves().keySet()));
    }

    private static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
        return b;
    }
}
