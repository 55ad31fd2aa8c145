package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.data.Dataset;
import dopt.data.Mnist;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CnnTest {

    /**
     * Gradient-check settings for the tiny networks. The loss (≈ 2.3 for 10 classes) comes back as
     * a float, whose spacing there is 2.4e-7, so each central quotient carries up to ≈ 2.4e-7 / 2h
     * = 6e-5 of quantisation at h = 2e-3; on a smooth piece the truncation h²·L'''/6 is far smaller.
     * Measured over 10 seeds × these 5 networks: worst |analytic − numeric| 8e-5, i.e. at most
     * 0.26 of the tolerance atol 3e-4 + 1e-2·|numeric|. Gradients here are 1e-3 … 0.5 and a wrong
     * backward formula errs by O(1) of them (tried: dropping a norm's mean or projection term, the
     * identity-shortcut gradient, a ReLU mask, 1/hw in pooling, half of col2im, one wrong dW entry,
     * max-pool routing — each fails the checks it concerns). A larger h lets more perturbations
     * cross a ReLU or max-pool kink (retried at h/4, then skipped, see {@link GradientCheck}); a
     * smaller one raises the quantisation floor. Every coordinate of every tensor is perturbed
     * (the tiny nets have ≤ 500); at most 10% may be skipped as kinked (with seed 4: ≤ 2.6%).
     */
    private static final double H = 2e-3, ATOL = 3e-4, RTOL = 1e-2, MAX_KINKED = 0.1;

    private static final long SEED = 4;

    private static void check(Cnn.Config cfg, boolean evalMode) {
        int batch = 2;
        Cnn m = new Cnn(cfg, batch);
        m.init(new Rng(SEED));
        Rng rng = new Rng(100 + SEED);
        float[] x = GradientCheck.gaussian(rng, batch * m.inputSize());
        int[] y = {3, 7};
        if (evalMode) {
            // a few training steps' forward passes move the running statistics away from 0 / 1
            for (int i = 0; i < 3; i++) m.forwardBackward(GradientCheck.gaussian(rng, batch * m.inputSize()), y, batch);
            m.setTraining(false);
        }
        GradientCheck.run(m, x, y, batch, H, ATOL, RTOL, 1000, MAX_KINKED, rng, m::activationPattern);
    }

    private static Cnn.Config tiny(int channels, int side, int[] widths, int[] blocks, Cnn.Norm norm, int groups, Cnn.Downsample d) {
        return new Cnn.Config(channels, side, side, 10, widths, blocks, norm, groups, d);
    }

    /** GroupNorm with 1 and 2 channels per group, identity and strided-projection shortcuts, odd 7×7 input. */
    @Test
    void groupNormStridedNetGradientsMatchFiniteDifferences() {
        check(tiny(1, 7, new int[] {2, 4}, new int[] {1, 1}, Cnn.Norm.GROUP, 2, Cnn.Downsample.STRIDE), false);
    }

    /** BatchNorm in training mode: batch statistics, whose dependence on every image the backward pass must include. */
    @Test
    void batchNormStridedNetGradientsMatchFiniteDifferences() {
        check(tiny(1, 6, new int[] {2, 3}, new int[] {1, 1}, Cnn.Norm.BATCH, 1, Cnn.Downsample.STRIDE), false);
    }

    /** Two input channels, max pooling with a dropped odd row (7 → 3), 1×1 projection at stride 1, two blocks in a stage. */
    @Test
    void groupNormMaxPoolNetGradientsMatchFiniteDifferences() {
        check(tiny(2, 7, new int[] {2, 3}, new int[] {1, 2}, Cnn.Norm.GROUP, 3, Cnn.Downsample.MAX_POOL), false);
    }

    @Test
    void batchNormAvgPoolNetGradientsMatchFiniteDifferences() {
        check(tiny(1, 6, new int[] {2, 3}, new int[] {1, 1}, Cnn.Norm.BATCH, 1, Cnn.Downsample.AVG_POOL), false);
    }

    /** Evaluation mode: BatchNorm is the fixed affine map of its running statistics (fine-tuning with frozen statistics). */
    @Test
    void batchNormEvalModeGradientsMatchFiniteDifferences() {
        check(tiny(1, 6, new int[] {2, 3}, new int[] {1, 1}, Cnn.Norm.BATCH, 1, Cnn.Downsample.STRIDE), true);
    }

    @Test
    void parametersAreNamedOrderedShapedAndRoledLikeTorchvision() {
        Cnn m = new Cnn(Cnn.Config.resnet8(1, 28, 28, 10), 2);
        List<String> names = new ArrayList<>();
        for (Param p : m.params()) names.add(p.name());
        List<String> expected = new ArrayList<>(List.of("conv1.weight", "bn1.weight", "bn1.bias"));
        for (String b : new String[] {"layer1.0", "layer2.0", "layer3.0"}) {
            for (String s : new String[] {".conv1.weight", ".bn1.weight", ".bn1.bias", ".conv2.weight", ".bn2.weight", ".bn2.bias"})
                expected.add(b + s);
            if (!b.equals("layer1.0"))
                for (String s : new String[] {".downsample.0.weight", ".downsample.1.weight", ".downsample.1.bias"}) expected.add(b + s);
        }
        expected.add("fc.weight");
        expected.add("fc.bias");
        assertEquals(expected, names);
        long total = 0;
        for (Param p : m.params()) {
            total += p.size();
            Param.Role want = p.name().startsWith("fc.weight") ? Param.Role.HEAD : p.name().equals("fc.bias") ? Param.Role.BIAS
                    : p.name().contains("conv") || p.name().contains("downsample.0") ? Param.Role.MATRIX : Param.Role.NORM;
            assertEquals(want, p.role(), p.name());
        }
        assertEquals(77_754, total);
        // convolution weights are 2-D [out × in·k·k]
        assertArrayEquals(new int[] {16, 9}, m.params().get(0).shape());
        assertArrayEquals(new int[] {32, 144}, find(m, "layer2.0.conv1.weight").shape());
        assertArrayEquals(new int[] {64, 576}, find(m, "layer3.0.conv2.weight").shape());
        assertArrayEquals(new int[] {32, 16}, find(m, "layer2.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {10, 64}, find(m, "fc.weight").shape());
        assertTrue(m.buffers().isEmpty(), "GroupNorm has no running statistics");
        assertEquals(784, m.inputSize());
    }

    private static Param find(Model m, String name) {
        for (Param p : m.params()) if (p.name().equals(name)) return p;
        for (Param p : m.buffers()) if (p.name().equals(name)) return p;
        throw new AssertionError("no " + name);
    }

    @Test
    void initialisationIsKaimingFanOutForConvolutionsIdentityForNormsAndNnLinearForTheHead() {
        Cnn m = new Cnn(Cnn.Config.resnet8(1, 28, 28, 10), 2);
        m.init(new Rng(3));
        float[] w = find(m, "layer3.0.conv2.weight").value();   // 36 864 draws
        double ss = 0, s = 0;
        for (float f : w) {
            s += f;
            ss += (double) f * f;
        }
        double std = Math.sqrt(ss / w.length - (s / w.length) * (s / w.length));
        assertEquals(Math.sqrt(2.0 / (64 * 9)), std, 0.02 * std); // sampling error ≈ 1/√(2·36864) = 0.4%
        for (float f : find(m, "layer2.0.bn2.weight").value()) assertEquals(1f, f);
        for (float f : find(m, "layer2.0.bn2.bias").value()) assertEquals(0f, f);
        for (float f : find(m, "fc.weight").value()) assertTrue(Math.abs(f) <= 1 / Math.sqrt(64));
        // the same seed gives the same weights
        Cnn again = new Cnn(Cnn.Config.resnet8(1, 28, 28, 10), 2);
        again.init(new Rng(3));
        for (int i = 0; i < m.params().size(); i++) assertArrayEquals(m.params().get(i).value(), again.params().get(i).value());
    }

    @Test
    void costAndMemoryAreWhatTheJavadocSays() {
        Cnn m = new Cnn(Cnn.Config.resnet8(1, 28, 28, 10), 32);
        // 2·(16·1·9·784 + 2·16·16·9·784 + 32·16·9·196 + 32·32·9·196 + 32·16·196 + 64·32·9·49 + 64·64·9·49 + 64·32·49 + 64·10)
        assertEquals(18_691_840L, m.flopsPerImage());
        long perImage = m.bufferFloats() / 32;
        assertTrue(perImage > 250_000 && perImage < 320_000, "buffers per image " + perImage);
    }

    @Test
    void groupNormPredictionsDoNotDependOnTheRestOfTheBatch() {
        Cnn m = new Cnn(tiny(1, 7, new int[] {4, 4}, new int[] {1, 1}, Cnn.Norm.GROUP, 2, Cnn.Downsample.STRIDE), 4);
        m.init(new Rng(1));
        float[] x = GradientCheck.gaussian(new Rng(2), 4 * 49);
        int[] y = {1, 2, 3, 4};
        double singles = 0;
        for (int i = 0; i < 4; i++) singles += m.loss(Arrays.copyOfRange(x, i * 49, (i + 1) * 49), new int[] {y[i]}, 1);
        assertEquals(singles / 4, m.loss(x, y, 4), 1e-5);
    }

    @Test
    void batchNormRunningStatisticsMoveOnlyOnTrainingStepsAndServeEvaluation() {
        Cnn m = new Cnn(tiny(1, 6, new int[] {2, 3}, new int[] {1, 1}, Cnn.Norm.BATCH, 1, Cnn.Downsample.STRIDE), 4);
        m.init(new Rng(1));
        List<String> names = new ArrayList<>();
        for (Param p : m.buffers()) names.add(p.name());
        assertEquals(List.of("bn1.running_mean", "bn1.running_var", "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var",
                "layer1.0.bn2.running_mean", "layer1.0.bn2.running_var", "layer2.0.bn1.running_mean", "layer2.0.bn1.running_var",
                "layer2.0.bn2.running_mean", "layer2.0.bn2.running_var", "layer2.0.downsample.1.running_mean",
                "layer2.0.downsample.1.running_var"), names);
        Param mean = m.buffers().get(0), var = m.buffers().get(1);
        assertArrayEquals(new float[] {0, 0}, mean.value());
        assertArrayEquals(new float[] {1, 1}, var.value());
        float[] x = GradientCheck.gaussian(new Rng(2), 4 * 36);
        int[] y = {1, 2, 3, 4};
        m.loss(x, y, 4);
        assertArrayEquals(new float[] {0, 0}, mean.value(), "evaluating a loss is not a training step");
        m.forwardBackward(x, y, 4);
        float[] afterStep = mean.value().clone();
        assertNotEquals(0f, afterStep[0]);
        // the stem's input has mean ≈ 0 but its convolution output's variance is not 1: σ² moves towards it by 10%
        assertNotEquals(1f, var.value()[0]);
        float train = m.loss(x, y, 4);
        m.setTraining(false);
        float eval = m.loss(x, y, 4);
        assertNotEquals(train, eval, "evaluation normalises with the running statistics");
        // in evaluation mode an image's prediction no longer depends on its batch
        double singles = 0;
        for (int i = 0; i < 4; i++) singles += m.loss(Arrays.copyOfRange(x, i * 36, (i + 1) * 36), new int[] {y[i]}, 1);
        assertEquals(singles / 4, eval, 1e-5);
        assertArrayEquals(afterStep, mean.value());
        // init restores the start values
        m.init(new Rng(1));
        assertArrayEquals(new float[] {0, 0}, mean.value());
    }

    @Test
    void forwardOnlyCallsLargerThanMaxBatchRunInExactChunks() {
        Cnn.Config cfg = tiny(1, 7, new int[] {2, 4}, new int[] {1, 1}, Cnn.Norm.GROUP, 2, Cnn.Downsample.MAX_POOL);
        Cnn small = new Cnn(cfg, 3), big = new Cnn(cfg, 10);
        small.init(new Rng(5));
        big.init(new Rng(5));
        float[] x = GradientCheck.gaussian(new Rng(6), 10 * 49);
        int[] y = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertEquals(big.loss(x, y, 10), small.loss(x, y, 10), 1e-5f);
        assertEquals(big.countCorrect(x, y, 10), small.countCorrect(x, y, 10));
        assertThrows(IllegalArgumentException.class, () -> small.forwardBackward(x, y, 10));
        Cnn bn = new Cnn(cfg.withNorm(Cnn.Norm.BATCH), 3);
        bn.init(new Rng(5));
        assertThrows(IllegalArgumentException.class, () -> bn.loss(x, y, 10), "batch statistics would be per chunk");
        bn.setTraining(false);
        bn.loss(x, y, 10);
    }

    @Test
    void trainingIsDeterministicGivenTheSeeds() {
        Cnn.Config cfg = tiny(1, 8, new int[] {3, 4}, new int[] {1, 1}, Cnn.Norm.BATCH, 1, Cnn.Downsample.STRIDE);
        float[] losses = new float[2];
        for (int r = 0; r < 2; r++) {
            Cnn m = new Cnn(cfg, 4);
            m.init(new Rng(9));
            Rng data = new Rng(10);
            for (int s = 0; s < 3; s++) {
                losses[r] = m.forwardBackward(GradientCheck.gaussian(data, 4 * 64), new int[] {0, 1, 2, 3}, 4);
                for (Param p : m.params()) for (int j = 0; j < p.size(); j++) p.value()[j] -= 0.1f * p.grad()[j];
            }
        }
        assertEquals(Float.floatToIntBits(losses[0]), Float.floatToIntBits(losses[1]));
    }

    /**
     * The default ResNet-8 (GroupNorm) on the embedded real MNIST slice: 150 Adam steps (lr 3e-3,
     * β 0.9/0.999, Kingma and Ba 2015) at batch 32, then the 1 000 test digits. Measured: 73.2%
     * with these seeds, 65–73% over three seeds of initialisation and order (chance 10%); about
     * 80 ms of CPU per step including Adam, so ≈ 13 s for the whole test on an idle core.
     * GroupNorm ResNets leave the 2.3 plateau slowly at this size — the same network in PyTorch
     * (GroupNorm, the same initialisation scheme) reaches 44–63% after 100 such steps — hence 150
     * steps and a 55% bound rather than the ~90% of longer runs (92% after 300 steps in one run).
     */
    @Test
    void resnet8LearnsTheEmbeddedMnistSlice() throws Exception {
        Dataset[] d = Mnist.embedded();
        Dataset train = d[0], test = d[1];
        int batch = 32, steps = 150, dim = train.dim();
        Cnn m = new Cnn(Cnn.Config.resnet8(1, 28, 28, 10), batch);
        m.init(new Rng(1));
        List<Param> params = m.params();
        float[][] mu = new float[params.size()][], nu = new float[params.size()][];
        for (int k = 0; k < params.size(); k++) {
            mu[k] = new float[params.get(k).size()];
            nu[k] = new float[params.get(k).size()];
        }
        float[] xb = new float[batch * dim];
        int[] yb = new int[batch];
        Rng order = new Rng(11);
        float first = 0, lastTen = 0;
        // CPU time of this thread (the products run on it, Dense's default of 1 thread): unlike the
        // wall clock it does not count the time other processes on a shared machine hold the core
        java.lang.management.ThreadMXBean clock = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = clock.getCurrentThreadCpuTime(), wall0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < batch; i++) {
                int j = order.nextInt(train.n());
                System.arraycopy(train.x(), j * dim, xb, i * dim, dim);
                yb[i] = train.y()[j];
            }
            float loss = m.forwardBackward(xb, yb, batch);
            if (s == 0) first = loss;
            if (s >= steps - 10) lastTen += loss / 10;
            double c1 = 1 - Math.pow(0.9, s + 1), c2 = 1 - Math.pow(0.999, s + 1);
            for (int k = 0; k < params.size(); k++) {
                float[] v = params.get(k).value(), g = params.get(k).grad(), a = mu[k], b = nu[k];
                for (int j = 0; j < v.length; j++) {
                    a[j] = 0.9f * a[j] + 0.1f * g[j];
                    b[j] = 0.999f * b[j] + 0.001f * g[j] * g[j];
                    v[j] -= (float) (3e-3 * (a[j] / c1) / (Math.sqrt(b[j] / c2) + 1e-8));
                }
            }
        }
        double msPerStep = (clock.getCurrentThreadCpuTime() - cpu0) / 1e6 / steps, wallPerStep = (System.nanoTime() - wall0) / 1e6 / steps;
        m.setTraining(false);
        double accuracy = m.countCorrect(test.x(), test.y(), test.n()) / (double) test.n();
        System.out.printf("ResNet-8 on the MNIST slice: %d steps at %.1f ms CPU (%.1f ms wall) per step incl. Adam,"
                + " loss %.3f -> %.3f, test accuracy %.3f%n", steps, msPerStep, wallPerStep, first, lastTen, accuracy);
        assertTrue(accuracy >= 0.55, "test accuracy " + accuracy);
        assertTrue(lastTen < first - 0.5, "training loss " + first + " -> " + lastTen);
        assertTrue(msPerStep < 1000, "a step at batch 32 took " + msPerStep + " ms of CPU");
    }
}
