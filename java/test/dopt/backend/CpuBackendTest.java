package dopt.backend;

import static dopt.tensor.BitExact.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.compress.TopK;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Backend;
import dopt.tensor.Backend.Buffer;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend is the reference the CUDA kernels are tested against: its plain operations
 * equal hand-written loops, and each fused optimizer step equals, bit for bit, the project's
 * optimizer chain (NamedRules through Optimizer.step) over the same gradients.
 */
class CpuBackendTest {
    private final CpuBackend cpu = new CpuBackend();

    private Buffer of(float... values) {
        Buffer b = cpu.allocate(values.length);
        cpu.upload(values, b);
        return b;
    }

    private float[] get(Buffer b) {
        float[] out = new float[(int) b.length()];
        cpu.download(b, out);
        return out;
    }

    static float[] gaussian(Rng rng, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (scale * rng.nextGaussian());
        return x;
    }

    @Test
    void elementwiseOperationsAndReductionsAreThePlainLoops() {
        Buffer x = of(1, 2, -3), y = of(10, 20, 30);
        cpu.axpy(3, 2f, x, y);
        assertArrayEquals(new float[] {12, 24, 24}, get(y));
        cpu.scale(3, -0.5f, x);
        assertArrayEquals(new float[] {-0.5f, -1, 1.5f}, get(x));
        Buffer out = cpu.allocate(3);
        cpu.mul(3, x, y, out);
        assertArrayEquals(new float[] {-6, -24, 36}, get(out));
        assertEquals(6.0, cpu.sum(out, 3));
        assertEquals(36 + 576 + 1296, cpu.squaredNorm(out, 3));
        assertEquals(-24 - 6, cpu.sum(out, 2), "a prefix");
        cpu.copy(y, out, 2);
        assertArrayEquals(new float[] {12, 24, 36}, get(out));
        cpu.fill(out, 3, 7f);
        assertArrayEquals(new float[] {7, 7, 7}, get(out));
        float[] back = {9, 9, 9, 9};
        cpu.download(x, 1, back, 2, 2);
        assertArrayEquals(new float[] {9, 9, -1, 1.5f}, back, "offsets");
    }

    @Test
    void clipByGlobalNormScalesToTheBoundAndLeavesSmallVectorsAlone() {
        Buffer x = of(3, 4);
        assertEquals(5.0, cpu.clipByGlobalNorm(x, 2, 1.0));
        assertArrayEquals(new float[] {0.6f, 0.8f}, get(x), 1e-7f);
        Buffer small = of(0.3f, 0.4f);
        cpu.clipByGlobalNorm(small, 2, 1.0);
        assertArrayEquals(new float[] {0.3f, 0.4f}, get(small));
        assertEquals(1f, Backend.clipFactor(25, 5));
        assertEquals(0.5f, Backend.clipFactor(100, 5));
        assertThrows(IllegalArgumentException.class, () -> Backend.clipFactor(1, 0));
    }

    @Test
    void productsMatchTheTripleLoop() {
        Rng rng = new Rng(3);
        int m = 7, k = 5, n = 9;
        float[] a = gaussian(rng, m * k, 1), b = gaussian(rng, k * n, 1);
        float[] ref = new float[m * n], at = new float[k * m], bt = new float[n * k];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * b[p * n + j];
                ref[i * n + j] = (float) s;
            }
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) at[p * m + i] = a[i * k + p];
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
        Buffer c = cpu.allocate(m * n);
        cpu.matmul(of(a), of(b), c, m, k, n);
        assertArrayEquals(ref, get(c), 1e-5f, "A·B");
        cpu.matmulAT(of(at), of(b), c, m, k, n);
        assertArrayEquals(ref, get(c), 1e-5f, "Aᵀ·B");
        cpu.matmulBT(of(a), of(bt), c, m, k, n);
        assertArrayEquals(ref, get(c), 1e-5f, "A·Bᵀ");
    }

    @Test
    void softmaxRowsSumToOneAndCrossEntropyOfUniformLogitsIsLogClasses() {
        Buffer x = of(0, 0, 0, 0, 1, 2, 3, 4);
        cpu.softmaxRows(x, 2, 4);
        float[] p = get(x);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, java.util.Arrays.copyOf(p, 4), 1e-7f);
        assertEquals(1.0, p[4] + p[5] + p[6] + p[7], 1e-6);
        Buffer grad = cpu.allocate(8);
        float loss = cpu.softmaxCrossEntropy(of(0, 0, 0, 0, 0, 0, 0, 0), new int[] {1, 3}, 2, 4, grad);
        assertEquals(Math.log(4), loss, 1e-6);
        assertArrayEquals(new float[] {0.125f, -0.375f, 0.125f, 0.125f, 0.125f, 0.125f, 0.125f, -0.375f}, get(grad), 1e-7f);
    }

    @Test
    void topKKeepsTheLargestMagnitudesWithTiesInIndexOrder() {
        int[] idx = new int[3];
        float[] val = new float[3];
        cpu.topK(of(3, -1, 2, -3, 0, 2), 6, 3, idx, val);
        assertArrayEquals(new int[] {0, 2, 3}, idx, "the 2 at index 5 loses the tie to index 2");
        assertArrayEquals(new float[] {3, 2, -3}, val);
        assertThrows(IllegalArgumentException.class, () -> cpu.topK(of(1, 2), 2, 3, new int[3], new float[3]));
    }

    @Test
    void topKSelectsTheSameEntriesAsTheTopKCompressor() {
        Rng rng = new Rng(11);
        int n = 5000, k = 123;
        float[] x = gaussian(rng, n, 1);
        for (int i = 0; i < n; i += 7) x[i] = 0.5f; // many ties
        for (int i = 0; i < 200; i++) x[rng.nextInt(n)] = 0f;
        float[] dense = new float[n];
        new TopK((double) k / n).compress(x, dense, n, rng);
        int[] idx = new int[k];
        float[] val = new float[k];
        cpu.topK(of(x), n, k, idx, val);
        float[] fromPairs = new float[n];
        for (int j = 0; j < k; j++) {
            if (j > 0) assertTrue(idx[j] > idx[j - 1], "ascending indices");
            fromPairs[idx[j]] = val[j];
        }
        assertSameBits(dense, fromPairs, "top-k");
    }

    /** Runs {@code steps} steps of a NamedRules optimizer over {@code params} with the given gradients per step. */
    private static void runChain(String name, Map<String, Object> hp, List<Param> params, List<float[]> grads) {
        Optimizer o = new Optimizer(name, NamedRules.build(name, hp), Schedule.constant(NamedRules.lr(name, hp)), params, new StateTree());
        for (int s = 0; s < grads.size(); s++) {
            int off = 0;
            for (Param p : params) {
                System.arraycopy(grads.get(s), off, p.grad(), 0, p.size());
                off += p.size();
            }
            o.step(s + 1);
        }
    }

    private static float[] flatValues(List<Param> params) {
        int n = 0;
        for (Param p : params) n += p.size();
        float[] out = new float[n];
        int off = 0;
        for (Param p : params) {
            System.arraycopy(p.value(), 0, out, off, p.size());
            off += p.size();
        }
        return out;
    }

    private static List<Param> vector(float[] x0) {
        Param p = new Param("w", Param.Role.BIAS, x0.length);
        System.arraycopy(x0, 0, p.value(), 0, x0.length);
        return List.of(p);
    }

    private static List<float[]> grads(Rng rng, int steps, int n, double scale) {
        List<float[]> g = new ArrayList<>();
        for (int s = 0; s < steps; s++) g.add(gaussian(rng, n, scale));
        return g;
    }

    @Test
    void fusedAdamAndAdamWEqualTheOptimizerChainBitForBit() {
        for (String rule : new String[] {"adam", "adamw"}) {
            for (double clip : new double[] {0, 0.5}) {
                Rng rng = new Rng(5);
                int n = 257;
                float[] x0 = gaussian(rng, n, 1);
                List<float[]> g = grads(rng, 4, n, 0.1);
                Map<String, Object> hp = clip > 0 ? Map.of("lr", 0.01, "weight_decay", 0.1, "clip", clip)
                        : Map.of("lr", 0.01, "weight_decay", 0.1);
                List<Param> params = vector(x0);
                runChain(rule, hp, params, g);

                Buffer x = of(x0), m = cpu.allocate(n), v = cpu.allocate(n), gb = cpu.allocate(n);
                Backend.Adam adam = new Backend.Adam(0.9f, 0.999f, 1e-8f);
                for (int s = 0; s < g.size(); s++) {
                    cpu.upload(g.get(s), gb);
                    float scale = clip > 0 ? Backend.clipFactor(cpu.squaredNorm(gb, n), clip) : 1f;
                    cpu.adamStep(x, gb, m, v, n, adam, s + 1, 0.01f, 0.1f, rule.equals("adamw"), scale);
                }
                assertSameBits(flatValues(params), get(x), rule + " clip " + clip);
            }
        }
    }

    @Test
    void fusedSignSgdAndKateEqualTheOptimizerChainBitForBit() {
        Rng rng = new Rng(6);
        int n = 100;
        float[] x0 = gaussian(rng, n, 1);
        List<float[]> g = grads(rng, 3, n, 1);
        g.get(0)[3] = 0f;

        List<Param> params = vector(x0);
        runChain("signsgd", Map.of("lr", 0.05, "clip", 2.0), params, g);
        Buffer x = of(x0), gb = cpu.allocate(n);
        for (float[] gs : g) {
            cpu.upload(gs, gb);
            cpu.signStep(x, gb, n, 0.05f, Backend.clipFactor(cpu.squaredNorm(gb, n), 2.0));
        }
        assertSameBits(flatValues(params), get(x), "signsgd");

        params = vector(x0);
        runChain("kate", Map.of("lr", 0.05, "eta", 0.01, "eps", 1e-4), params, g);
        x = of(x0);
        Buffer b2 = cpu.allocate(n), m2 = cpu.allocate(n);
        for (float[] gs : g) {
            cpu.upload(gs, gb);
            cpu.kateStep(x, gb, b2, m2, null, n, 0.01f, 1e-4f, 0.05f, 1f);
        }
        assertSameBits(flatValues(params), get(x), "kate");
    }

    @Test
    void fusedFrugalEqualsBlockAdamWithTheBlocksProjectorBitForBit() {
        // four matrices, rho 0.25: one block under Adam, the last one first (descending order)
        Rng rng = new Rng(8);
        List<Param> params = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            Param p = new Param("m" + b, Param.Role.MATRIX, 3, 5);
            float[] v0 = gaussian(rng, 15, 1);
            System.arraycopy(v0, 0, p.value(), 0, 15);
            params.add(p);
        }
        float[] x0 = flatValues(params);
        int n = x0.length;
        List<float[]> g = grads(rng, 3, n, 0.1);
        runChain("frugal", Map.of("lr", 0.01, "rho", 0.25, "projector", "blocks", "update_gap", 10.0, "weight_decay", 0.05,
                "lr_free", 0.005), params, g);

        Buffer x = of(x0), gb = cpu.allocate(n), m = cpu.allocate(15), v = cpu.allocate(15);
        Backend.Adam adam = new Backend.Adam(0.9f, 0.999f, 1e-8f);
        for (int s = 0; s < g.size(); s++) {
            cpu.upload(g.get(s), gb);
            cpu.frugalStep(x, gb, m, v, n, 45, 60, adam, s + 1, 0.01f, (float) (0.005 / 0.01), 0.05f, 1f);
        }
        assertSameBits(flatValues(params), get(x), "frugal");
    }

    @Test
    void adamDirectionAtTheFirstStepIsTheSignScaledByAlmostOne() {
        // t = 1 from zero moments: m̂ = g, v̂ = g², direction = g/(|g| + eps)
        Buffer g = of(2f, -0.5f, 0f), m = cpu.allocate(3), v = cpu.allocate(3), out = cpu.allocate(3);
        cpu.adamDirection(g, m, v, out, 3, new Backend.Adam(0.9f, 0.999f, 1e-8f), 1);
        assertArrayEquals(new float[] {1f, -1f, 0f}, get(out), 1e-6f);
        assertArrayEquals(new float[] {0.2f, -0.05f, 0f}, get(m), 1e-7f);
        assertArrayEquals(new float[] {0.004f, 0.00025f, 0f}, get(v), 1e-7f); // 1 − 0.999f = 0.00099998713f
    }

    @Test
    void badArgumentsAreRejectedWithTheValueNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Backend.Adam(1f, 0.999f, 1e-8f)).getMessage().contains("beta1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cpu.allocate(-1)).getMessage().contains("-1"));
        Buffer g = cpu.allocate(4);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cpu.frugalStep(g, g, g, g, 4, 3, 5,
                new Backend.Adam(0.9f, 0.99f, 1e-8f), 1, 1f, 1f, 0f, 1f)).getMessage().contains("[3, 5)"));
        assertThrows(IllegalStateException.class, () -> {
            Buffer b = cpu.allocate(2);
            b.close();
            cpu.fill(b, 2, 1f);
        });
    }
}
