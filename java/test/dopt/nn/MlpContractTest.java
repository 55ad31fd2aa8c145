package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The {@link Model} contract as {@link Mlp} implements it, beyond the gradient check of {@link MlpTest}. */
class MlpContractTest {

    private static float[] gaussian(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    /** The logits of row {@code r} in double precision from the parameters alone: an independent forward pass. */
    private static double[] naiveLogits(Mlp mlp, float[] x, int r) {
        double[] h = new double[mlp.inputSize()];
        for (int j = 0; j < h.length; j++) h[j] = x[r * h.length + j];
        int layers = mlp.params().size() / 2;
        for (int l = 0; l < layers; l++) {
            Param w = mlp.params().get(2 * l), b = mlp.params().get(2 * l + 1);
            double[] next = new double[w.rows()];
            for (int o = 0; o < next.length; o++) {
                double s = b.value()[o];
                for (int i = 0; i < h.length; i++) s += (double) w.value()[o * w.cols() + i] * h[i];
                next[o] = l < layers - 1 ? Math.max(0, s) : s;
            }
            h = next;
        }
        return h;
    }

    @Test
    void countCorrectAgreesWithAnIndependentArgmaxAndLossWithForwardBackward() {
        Mlp mlp = new Mlp(10, new int[] {12, 7}, 4, 50);
        mlp.init(new Rng(31));
        Rng rng = new Rng(32);
        float[] x = gaussian(rng, 50 * 10);
        int[] y = new int[50];
        int expected = 0;
        double loss = 0;
        for (int r = 0; r < 50; r++) {
            double[] z = naiveLogits(mlp, x, r);
            int best = 0;
            for (int c = 1; c < z.length; c++) if (z[c] > z[best]) best = c;
            // half the rows labelled with the argmax, half with another class
            y[r] = r % 2 == 0 ? best : (best + 1 + rng.nextInt(3)) % 4;
            if (y[r] == best) expected++;
            double max = Arrays.stream(z).max().getAsDouble(), sum = 0;
            for (double v : z) sum += Math.exp(v - max);
            loss += Math.log(sum) + max - z[y[r]];
        }
        assertEquals(25, expected);
        assertEquals(expected, mlp.countCorrect(x, y, 50));
        assertEquals(loss / 50, mlp.loss(x, y, 50), 1e-5);
        assertEquals(mlp.loss(x, y, 50), mlp.forwardBackward(x, y, 50));
        // a smaller batch reads only its own rows
        assertEquals(mlp.countCorrect(x, y, 50) - mlp.countCorrect(Arrays.copyOfRange(x, 200, 500), Arrays.copyOfRange(y, 20, 50), 30),
                mlp.countCorrect(x, y, 20));
    }

    @Test
    void initIsDeterministicAndFollowsTorchLinearBounds() {
        Mlp a = new Mlp(9, new int[] {6}, 3, 2), b = new Mlp(9, new int[] {6}, 3, 2), c = new Mlp(9, new int[] {6}, 3, 2);
        a.init(new Rng(7));
        b.init(new Rng(7));
        c.init(new Rng(8));
        boolean differs = false;
        for (int i = 0; i < a.params().size(); i++) {
            Param p = a.params().get(i);
            assertArrayEquals(p.value(), b.params().get(i).value(), p.name());
            differs |= !Arrays.equals(p.value(), c.params().get(i).value());
            double bound = 1 / Math.sqrt(i < 2 ? 9 : 6); // fan-in of the layer, for weight and bias alike
            float max = 0;
            for (float v : p.value()) max = Math.max(max, Math.abs(v));
            assertTrue(max <= bound && max > 0.5 * bound, p.name() + ": max |v| " + max + " vs bound " + bound);
        }
        assertTrue(differs, "another seed gives other weights");
    }

    @Test
    void forwardBackwardOverwritesGradientsInsteadOfAccumulating() {
        Mlp mlp = new Mlp(5, new int[] {4}, 3, 8);
        mlp.init(new Rng(41));
        Rng rng = new Rng(42);
        float[] big = gaussian(rng, 8 * 5), small = Arrays.copyOf(big, 3 * 5);
        int[] y = {0, 1, 2, 0, 1, 2, 0, 1};
        mlp.forwardBackward(small, y, 3);
        float[][] fresh = new float[4][];
        for (int i = 0; i < 4; i++) fresh[i] = mlp.params().get(i).grad().clone();
        for (Param p : mlp.params()) Arrays.fill(p.grad(), 1e6f); // stale garbage, as after an optimizer step
        mlp.forwardBackward(big, y, 8); // a larger batch first leaves more rows in the buffers
        mlp.forwardBackward(small, y, 3);
        for (int i = 0; i < 4; i++) assertArrayEquals(fresh[i], mlp.params().get(i).grad(), mlp.params().get(i).name());
    }

    @Test
    void theCommonConfigurationHasTorchsParameterCount() {
        Mlp mlp = new Mlp(784, new int[] {512, 512}, 10, 1);
        long n = 0;
        for (Param p : mlp.params()) n += p.size();
        assertEquals(784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10, n); // 669 706
        assertEquals("[fc1.weight[512, 784] MATRIX, fc1.bias[512] BIAS, fc2.weight[512, 512] MATRIX, fc2.bias[512] BIAS, "
                + "fc3.weight[10, 512] HEAD, fc3.bias[10] BIAS]", mlp.params().toString());
    }

    @Test
    void softmaxRegressionHasOneHeadLayer() {
        Mlp mlp = new Mlp(3, new int[0], 2, 4);
        assertEquals(2, mlp.params().size());
        assertEquals(Param.Role.HEAD, mlp.params().get(0).role());
    }

    @Test
    void emptyOrOversizedBatchesAreRefused() {
        Mlp mlp = new Mlp(3, new int[] {2}, 2, 4);
        assertThrows(IllegalArgumentException.class, () -> mlp.forwardBackward(new float[15], new int[5], 5));
        assertThrows(IllegalArgumentException.class, () -> mlp.countCorrect(new float[15], new int[5], 5));
        assertThrows(IllegalArgumentException.class, () -> mlp.loss(new float[0], new int[0], 0));
    }

    /**
     * A training step allocates no buffers once compiled: any per-call activation or gradient
     * array here is at least 8 KiB, far above the bound. Measured over windows, and the best one
     * counts, so JIT warm-up (the Vector API allocates until C2 compiles it) cannot make it flaky;
     * lambda-sized garbage that C2 may remove later is below what this resolves.
     */
    @Test
    void aTrainingStepDoesNotAllocate() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // sizes at which C2 compiles the kernels within a few hundred steps
        Mlp mlp = new Mlp(64, new int[] {64, 64}, 10, 32);
        mlp.init(new Rng(51));
        float[] x = gaussian(new Rng(52), 32 * 64);
        int[] y = new int[32];
        for (int i = 0; i < 32; i++) y[i] = i % 10;
        long best = Long.MAX_VALUE;
        for (int window = 0; window < 40 && best > 4096; window++) {
            long t0 = bean.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100; i++) {
                mlp.forwardBackward(x, y, 32);
                mlp.countCorrect(x, y, 32);
            }
            best = Math.min(best, bean.getCurrentThreadAllocatedBytes() - t0);
        }
        assertTrue(best <= 4096, "100 steps allocated " + best + " bytes");
        assertFalse(Float.isNaN(mlp.loss(x, y, 32)));
    }
}
