package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import org.junit.jupiter.api.Test;

class MlpTest {

    /**
     * Finite differences in double-precision bookkeeping around float forward passes: central
     * differences with h = 1e-2 have truncation error O(h²) ≈ 1e-4 relative on this smooth-enough
     * net, and float rounding of a loss near 1 is ≈ 1e-7 / h = 1e-5, so 1e-2 relative (with an
     * absolute floor of 1e-4 for tiny gradients) separates right from wrong by orders of magnitude.
     */
    @Test
    void gradientsMatchCentralFiniteDifferencesForEveryParameter() {
        Mlp mlp = new Mlp(6, new int[] {5, 4}, 3, 4);
        mlp.init(new Rng(11));
        Rng rng = new Rng(12);
        float[] x = new float[4 * 6];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        int[] y = {0, 2, 1, 2};
        mlp.forwardBackward(x, y, 4);
        int checked = 0;
        for (Param p : mlp.params()) {
            float[] analytic = p.grad().clone(), v = p.value();
            for (int i = 0; i < v.length; i++) {
                float keep = v[i];
                float h = 1e-2f;
                v[i] = keep + h;
                double up = mlp.loss(x, y, 4);
                v[i] = keep - h;
                double down = mlp.loss(x, y, 4);
                v[i] = keep;
                double numeric = (up - down) / (2 * h);
                double err = Math.abs(numeric - analytic[i]) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[i]));
                assertTrue(err < 1e-2 || Math.abs(numeric - analytic[i]) < 1e-4,
                        p.name() + "[" + i + "]: analytic " + analytic[i] + " numeric " + numeric);
                checked++;
            }
        }
        assertEquals(6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3, checked);
    }

    @Test
    void parametersAreNamedShapedAndRoledLikeTorchLinear() {
        Mlp mlp = new Mlp(784, new int[] {512, 512}, 10, 8);
        assertEquals(6, mlp.params().size());
        Param w1 = mlp.params().get(0), head = mlp.params().get(4);
        assertEquals("fc1.weight", w1.name());
        assertEquals(512, w1.rows());
        assertEquals(784, w1.cols());
        assertEquals(Param.Role.MATRIX, w1.role());
        assertEquals(Param.Role.HEAD, head.role());
        assertEquals(Param.Role.BIAS, mlp.params().get(1).role());
        mlp.init(new Rng(1));
        double bound = 1 / Math.sqrt(784);
        for (float f : w1.value()) assertTrue(Math.abs(f) <= bound);
    }

    @Test
    void sgdOnASyntheticSeparableProblemDrivesTheLossDown() {
        // synthetic: two Gaussian blobs in 4-D, label = which blob
        Rng rng = new Rng(5);
        int n = 64;
        float[] x = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int d = 0; d < 4; d++) x[i * 4 + d] = (float) (rng.nextGaussian() * 0.3 + (y[i] == 0 ? -1 : 1));
        }
        Mlp mlp = new Mlp(4, new int[] {8}, 2, n);
        mlp.init(new Rng(6));
        float first = mlp.forwardBackward(x, y, n);
        for (int it = 0; it < 200; it++) {
            mlp.forwardBackward(x, y, n);
            for (Param p : mlp.params()) for (int j = 0; j < p.size(); j++) p.value()[j] -= 0.5f * p.grad()[j];
        }
        float last = mlp.loss(x, y, n);
        assertTrue(first > 0.5 && last < 0.05, "loss " + first + " -> " + last);
        assertEquals(n, mlp.countCorrect(x, y, n));
    }

    @Test
    void aBatchLargerThanTheBuffersIsRefused() {
        Mlp mlp = new Mlp(3, new int[] {2}, 2, 4);
        assertThrows(IllegalArgumentException.class, () -> mlp.loss(new float[15], new int[5], 5));
    }
}
