package dopt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.io.Checkpoint;
import dopt.random.Rng;
import dopt.state.StateTree;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItoChainTest {
    @TempDir Path dir;

    /** b(x) = ∇U for U = x²/2. */
    private static final Drift IDENTITY = new Drift() {
        @Override public int dim() { return 1; }
        @Override public void evaluate(double[] x, double[] out) { out[0] = x[0]; }
    };

    @Test
    void sgldOnAStandardGaussianHasTheEulerMaruyamaStationaryVarianceForEveryNoiseLaw() {
        // x' = (1 − γ) x + √(2γ) ξ: v = (1 − γ)² v + 2γ, so v = 1/(1 − γ/2) = 4/3 at γ = 0.5, for any unit-variance ξ
        double gamma = 0.5, expected = 1 / (1 - gamma / 2);
        assertEquals(4.0 / 3, expected, 1e-15);
        for (IsotropicNoise noise : IsotropicNoise.values()) {
            ItoChain chain = ItoChain.sgld(IDENTITY, 1, noise, gamma, new Rng(42), new double[] {0});
            for (int k = 0; k < 1000; k++) chain.step();
            int n = 400_000;
            double sum = 0, sq = 0;
            for (int k = 0; k < n; k++) {
                chain.step();
                sum += chain.x()[0];
                sq += chain.x()[0] * chain.x()[0];
            }
            double var = sq / n - (sum / n) * (sum / n);
            // autocorrelation 1 − γ = 0.5: about n/3 effective samples, relative sd of the variance ≈ 0.4%
            assertEquals(expected, var, 0.03, noise.name());
        }
    }

    @Test
    void aStateDependentDiffusionScalesTheNoiseAtTheCurrentPoint() {
        // one Rademacher step from x = 1 with σ(x) = 1 + x²: x' = 1 − γ·1 ± √γ·2
        double gamma = 0.25;
        ItoChain chain = new ItoChain(IDENTITY, x -> 1 + x[0] * x[0], IsotropicNoise.RADEMACHER, gamma, new Rng(3), new double[] {1});
        chain.step();
        assertEquals(1.0, Math.abs(chain.x()[0] - 0.75), 1e-15);
    }

    @Test
    void everyNoiseLawHasMeanZeroAndUnitVariance() {
        for (IsotropicNoise noise : IsotropicNoise.values()) {
            Rng rng = new Rng(9);
            int n = 200_000;
            double sum = 0, sq = 0;
            for (int k = 0; k < n; k++) {
                double v = noise.sample(rng);
                sum += v;
                sq += v * v;
            }
            assertEquals(0, sum / n, 0.01, noise.name());
            assertEquals(1, sq / n, 0.015, noise.name());
        }
        assertEquals(IsotropicNoise.UNIFORM, IsotropicNoise.byName("Uniform"));
    }

    @Test
    void badStepSizesAndTemperaturesAreNamed() {
        var ex = assertThrows(IllegalArgumentException.class, () -> ItoChain.sgld(IDENTITY, 1, IsotropicNoise.GAUSSIAN, Double.NaN, new Rng(1), new double[] {0}));
        assertTrue(ex.getMessage().contains("gamma must be positive and finite: NaN"));
        ex = assertThrows(IllegalArgumentException.class, () -> ItoChain.sgld(IDENTITY, -1, IsotropicNoise.GAUSSIAN, 0.1, new Rng(1), new double[] {0}));
        assertTrue(ex.getMessage().contains("beta must be positive: -1"));
    }

    /**
     * k steps, the state tree to an HDF5 checkpoint, a fresh chain of another seed and start
     * restored from the file: it continues exactly as the uninterrupted chain, mini-batch RNG included.
     */
    @Test
    void resumesFromACheckpointFileBitExactly() throws Exception {
        double[] rows = new double[2 * 12], targets = new double[12];
        for (int i = 0; i < rows.length; i++) rows[i] = Math.cos(0.9 * i);
        for (int i = 0; i < targets.length; i++) targets[i] = Math.sin(2.3 * i);
        BayesianLinearRegression model = new BayesianLinearRegression(rows, targets, 2, 1, 0.5);
        List<LongFunction<ItoChain>> makers = List.of(
                seed -> ItoChain.sgld(model.minibatchGradient(3, Rng.derive(seed, 1)), 1, IsotropicNoise.UNIFORM, 0.01,
                        Rng.derive(seed, 2), new double[] {seed, -seed}),
                seed -> ItoChain.sgld(model.fullGradient(), 2, IsotropicNoise.GAUSSIAN, 0.02, Rng.derive(seed, 2), new double[] {seed, 1}),
                seed -> new ItoChain(IDENTITY, x -> 1 + x[0] * x[0], IsotropicNoise.RADEMACHER, 0.05, Rng.derive(seed, 2), new double[] {seed}));
        for (int m = 0; m < makers.size(); m++) {
            StateTree tree = new StateTree();
            ItoChain a = makers.get(m).apply(1);
            a.register(tree, "sgld");
            for (int k = 0; k < 7; k++) a.step();
            Path file = dir.resolve("ckpt-" + m + ".h5");
            Checkpoint.write(tree, file, Map.of("step", "7"));
            for (int k = 0; k < 13; k++) a.step();

            StateTree fresh = new StateTree();
            ItoChain b = makers.get(m).apply(4);
            b.register(fresh, "sgld");
            assertEquals(List.copyOf(tree.leaves().keySet()), List.copyOf(fresh.leaves().keySet()));
            fresh.restoreFrom(Checkpoint.read(file).tree());
            for (int k = 0; k < 13; k++) b.step();
            assertArrayEquals(bits(a.x()), bits(b.x()), "chain " + m);
        }
        StateTree tree = new StateTree();
        makers.get(0).apply(1).register(tree, "sgld");
        assertEquals(List.of("sgld/x", "sgld/rng", "sgld/drift/rng"), List.copyOf(tree.leaves().keySet()));
    }

    private static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
        return b;
    }
}
