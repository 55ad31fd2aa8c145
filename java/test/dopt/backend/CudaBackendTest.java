package dopt.backend;

import static dopt.backend.CpuBackendTest.gaussian;
import static dopt.tensor.BitExact.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Backend;
import dopt.tensor.Backend.Buffer;
import dopt.tensor.Param;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA kernel against the CPU backend on random inputs; skipped where there is no GPU.
 * Tolerances: the element-wise operations and the fused optimizer steps are exact (the kernels
 * use round-to-nearest intrinsics in Java's order of operations, so the bits must agree);
 * products |Δ| ≤ 1e-4·√k·(1 + |ref|) (different summation order, fp32); reductions relative 1e-12
 * (double accumulation in another order); softmax and cross-entropy 1e-6 (exp in another library).
 */
class CudaBackendTest {
    private static CudaBackend gpu;
    private static final CpuBackend cpu = new CpuBackend();

    @BeforeAll
    static void open() throws CudaUnavailableException {
        if (Gpu.unavailableReason() == null) gpu = CudaBackend.open(0);
    }

    /** Per test, so that every test shows up as skipped with the reason. */
    @BeforeEach
    void needsAGpu() {
        Assumptions.assumeTrue(gpu != null, () -> "no CUDA GPU: " + Gpu.unavailableReason());
    }

    @AfterAll
    static void close() {
        if (gpu != null) gpu.close();
    }

    /** The same values on both backends. */
    private record Pair(Buffer c, Buffer g) {
        float[] gpuValues() {
            float[] out = new float[(int) g.length()];
            gpu.download(g, out);
            return out;
        }

        float[] cpuValues() {
            float[] out = new float[(int) c.length()];
            cpu.download(c, out);
            return out;
        }
    }

    private static Pair pair(float[] values) {
        Buffer c = cpu.allocate(values.length), g = gpu.allocate(values.length);
        cpu.upload(values, c);
        gpu.upload(values, g);
        return new Pair(c, g);
    }

    private static void assertSame(Pair p, String what) { assertSameBits(p.cpuValues(), p.gpuValues(), what); }

    @Test
    void nameSaysWhichDevice() {
        assertTrue(gpu.name().startsWith("cuda:0 (") && gpu.onDevice(), gpu.name());
    }

    @Test
    void transfersCopyFillAndElementwiseOperationsAreExact() {
        Rng rng = new Rng(1);
        for (int n : new int[] {1, 3, 1000, 5_000_003}) {
            float[] a = gaussian(rng, n, 1), b = gaussian(rng, n, 1);
            Pair x = pair(a), y = pair(b);
            assertSameBits(a, x.gpuValues(), "round trip n=" + n);
            cpu.axpy(n, 0.3f, x.c, y.c);
            gpu.axpy(n, 0.3f, x.g, y.g);
            assertSame(y, "axpy n=" + n);
            cpu.scale(n, -1.7f, x.c);
            gpu.scale(n, -1.7f, x.g);
            assertSame(x, "scale n=" + n);
            cpu.mul(n, x.c, y.c, y.c);
            gpu.mul(n, x.g, y.g, y.g);
            assertSame(y, "mul n=" + n);
            Pair z = pair(new float[n]);
            gpu.copy(x.g, z.g, n);
            assertSameBits(x.gpuValues(), z.gpuValues(), "copy n=" + n);
            gpu.fill(z.g, n, 2.5f);
            float[] twos = new float[n];
            java.util.Arrays.fill(twos, 2.5f);
            assertSameBits(twos, z.gpuValues(), "fill n=" + n);
            assertEquals(cpu.sum(x.c, n), gpu.sum(x.g, n), 1e-12 * cpu.squaredNorm(x.c, n) + 1e-12, "sum n=" + n);
            double sq = cpu.squaredNorm(x.c, n);
            assertEquals(sq, gpu.squaredNorm(x.g, n), 1e-12 * sq, "squared norm n=" + n);
        }
    }

    @Test
    void partialTransfersHonourOffsets() {
        Pair x = pair(new float[] {1, 2, 3, 4, 5});
        gpu.upload(new float[] {9, 8, 7}, 1, x.g, 3, 2);
        float[] out = new float[4];
        gpu.download(x.g, 2, out, 1, 3);
        assertArrayEquals(new float[] {0, 3, 8, 7}, out);
    }

    @Test
    void productsAgreeWithinRoundingOfTheSharedDimension() {
        Rng rng = new Rng(2);
        int[][] shapes = {{1, 1, 1}, {7, 5, 9}, {64, 64, 64}, {65, 130, 63}, {256, 1024, 384}, {3, 2000, 5}};
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            float[] a = gaussian(rng, m * k, 1), b = gaussian(rng, k * n, 1);
            Pair pa = pair(a), pb = pair(b), pc = pair(new float[m * n]);
            String[] kinds = {"A·B", "Aᵀ·B", "A·Bᵀ"};
            for (String kind : kinds) {
                switch (kind) {
                    case "A·B" -> { cpu.matmul(pa.c, pb.c, pc.c, m, k, n); gpu.matmul(pa.g, pb.g, pc.g, m, k, n); }
                    case "Aᵀ·B" -> { cpu.matmulAT(pa.c, pb.c, pc.c, m, k, n); gpu.matmulAT(pa.g, pb.g, pc.g, m, k, n); }
                    default -> { cpu.matmulBT(pa.c, pb.c, pc.c, m, k, n); gpu.matmulBT(pa.g, pb.g, pc.g, m, k, n); }
                }
                float[] ref = pc.cpuValues(), got = pc.gpuValues();
                double tol = 1e-4 * Math.sqrt(k);
                for (int i = 0; i < ref.length; i++)
                    assertEquals(ref[i], got[i], tol * (1 + Math.abs(ref[i])), kind + " " + m + "×" + k + "×" + n + " [" + i + "]");
            }
        }
    }

    @Test
    void softmaxAndCrossEntropyAgree() {
        Rng rng = new Rng(3);
        for (int[] s : new int[][] {{1, 1}, {4, 10}, {33, 1000}, {2, 50_000}}) {
            int rows = s[0], cols = s[1];
            float[] logits = gaussian(rng, rows * cols, 5);
            Pair p = pair(logits);
            cpu.softmaxRows(p.c, rows, cols);
            gpu.softmaxRows(p.g, rows, cols);
            assertArrayEquals(p.cpuValues(), p.gpuValues(), 1e-6f, "softmax " + rows + "×" + cols);
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) labels[i] = rng.nextInt(cols);
            Pair l = pair(logits), grad = pair(new float[rows * cols]);
            float lc = cpu.softmaxCrossEntropy(l.c, labels, rows, cols, grad.c);
            float lg = gpu.softmaxCrossEntropy(l.g, labels, rows, cols, grad.g);
            assertEquals(lc, lg, 1e-6 * (1 + Math.abs(lc)), "loss " + rows + "×" + cols);
            assertArrayEquals(grad.cpuValues(), grad.gpuValues(), 1e-6f, "gradient " + rows + "×" + cols);
            assertEquals(lc, gpu.softmaxCrossEntropy(l.g, labels, rows, cols, null), 1e-6 * (1 + Math.abs(lc)), "loss without gradient");
        }
    }

    @Test
    void clipScalesExactlyAsTheCpu() {
        Rng rng = new Rng(4);
        float[] x = gaussian(rng, 10_000, 1);
        for (double max : new double[] {1.0, 1e6}) {
            Pair p = pair(x);
            double nc = cpu.clipByGlobalNorm(p.c, x.length, max), ng = gpu.clipByGlobalNorm(p.g, x.length, max);
            assertEquals(nc, ng, 1e-12 * nc);
            assertSame(p, "clip to " + max);
        }
    }

    @Test
    void fusedOptimizerStepsAreBitExact() {
        Rng rng = new Rng(5);
        int n = 1_000_003;
        Backend.Adam adam = new Backend.Adam(0.9f, 0.999f, 1e-8f);
        float[] x0 = gaussian(rng, n, 1);
        Pair xd = pair(x0), xw = pair(x0), xs = pair(x0), xk = pair(x0), xf = pair(x0);
        Pair md = pair(new float[n]), vd = pair(new float[n]), mw = pair(new float[n]), vw = pair(new float[n]);
        Pair b2 = pair(new float[n]), m2 = pair(new float[n]), mf = pair(new float[1000]), vf = pair(new float[1000]);
        Pair dir = pair(new float[n]), mdir = pair(new float[n]), vdir = pair(new float[n]);
        for (int t = 1; t <= 3; t++) {
            float[] g = gaussian(rng, n, 0.01);
            g[7] = 0f;
            Pair gp = pair(g);
            float scale = t == 2 ? 0.37f : 1f;
            cpu.adamDirection(gp.c, mdir.c, vdir.c, dir.c, n, adam, t);
            gpu.adamDirection(gp.g, mdir.g, vdir.g, dir.g, n, adam, t);
            assertSame(dir, "adam direction t=" + t);
            assertSame(vdir, "adam v t=" + t);
            cpu.adamStep(xd.c, gp.c, md.c, vd.c, n, adam, t, 1e-3f, 0.1f, false, scale);
            gpu.adamStep(xd.g, gp.g, md.g, vd.g, n, adam, t, 1e-3f, 0.1f, false, scale);
            assertSame(xd, "adam (L2) x t=" + t);
            assertSame(md, "adam (L2) m t=" + t);
            cpu.adamStep(xw.c, gp.c, mw.c, vw.c, n, adam, t, 1e-3f, 0.01f, true, scale);
            gpu.adamStep(xw.g, gp.g, mw.g, vw.g, n, adam, t, 1e-3f, 0.01f, true, scale);
            assertSame(xw, "adamw x t=" + t);
            assertSame(vw, "adamw v t=" + t);
            cpu.signStep(xs.c, gp.c, n, 1e-3f, scale);
            gpu.signStep(xs.g, gp.g, n, 1e-3f, scale);
            assertSame(xs, "sign t=" + t);
            cpu.kateStep(xk.c, gp.c, b2.c, m2.c, null, n, 0.01f, 1e-4f, 1e-3f, scale);
            gpu.kateStep(xk.g, gp.g, b2.g, m2.g, null, n, 0.01f, 1e-4f, 1e-3f, scale);
            assertSame(xk, "kate x t=" + t);
            assertSame(m2, "kate m² t=" + t);
            cpu.frugalStep(xf.c, gp.c, mf.c, vf.c, n, 5000, 6000, adam, t, 1e-3f, 0.5f, 0.01f, scale);
            gpu.frugalStep(xf.g, gp.g, mf.g, vf.g, n, 5000, 6000, adam, t, 1e-3f, 0.5f, 0.01f, scale);
            assertSame(xf, "frugal x t=" + t);
            assertSame(vf, "frugal v t=" + t);
        }
    }

    @Test
    void kateWithPerCoordinateEtaIsBitExact() {
        Rng rng = new Rng(6);
        int n = 4099;
        float[] g = gaussian(rng, n, 1), etas = new float[n];
        for (int i = 0; i < n; i++) etas[i] = g[i] == 0 ? 0 : 1 / (g[i] * g[i]);
        Pair x = pair(gaussian(rng, n, 1)), gp = pair(g), b2 = pair(new float[n]), m2 = pair(new float[n]), e = pair(etas);
        cpu.kateStep(x.c, gp.c, b2.c, m2.c, e.c, n, 0f, 0f, 0.1f, 1f);
        gpu.kateStep(x.g, gp.g, b2.g, m2.g, e.g, n, 0f, 0f, 0.1f, 1f);
        assertSame(x, "kate with etas");
    }

    @Test
    void topKSelectsExactlyTheCpuEntries() {
        Rng rng = new Rng(7);
        for (int[] s : new int[][] {{1, 1}, {10, 10}, {1000, 1}, {100_000, 1000}, {3_000_000, 30_000}}) {
            int n = s[0], k = s[1];
            float[] x = gaussian(rng, n, 1);
            for (int i = 0; i < n; i += 5) x[i] = -0.25f;   // ties across chunks
            for (int i = 1; i < n; i += 11) x[i] = 0f;
            Pair p = pair(x);
            int[] ic = new int[k], ig = new int[k];
            float[] vc = new float[k], vg = new float[k];
            cpu.topK(p.c, n, k, ic, vc);
            gpu.topK(p.g, n, k, ig, vg);
            assertArrayEquals(ic, ig, "top-k indices n=" + n + " k=" + k);
            assertSameBits(vc, vg, "top-k values n=" + n + " k=" + k);
        }
        // more requested than non-zeros: the zeros fill up in index order
        Pair sparse = pair(new float[] {0, 0, 3, 0, -1, 0});
        int[] ig = new int[4];
        float[] vg = new float[4];
        gpu.topK(sparse.g, 6, 4, ig, vg);
        assertArrayEquals(new int[] {0, 1, 2, 4}, ig);
    }

    @Test
    void adamOnTheDeviceInTheOptimizerChainEqualsTheCpuChain() {
        Rng rng = new Rng(8);
        Param a = new Param("w", Param.Role.MATRIX, 30, 40), b = new Param("b", Param.Role.BIAS, 40);
        Param a2 = new Param("w", Param.Role.MATRIX, 30, 40), b2 = new Param("b", Param.Role.BIAS, 40);
        for (Param[] p : new Param[][] {{a, a2}, {b, b2}}) {
            float[] v = gaussian(rng, p[0].size(), 1);
            System.arraycopy(v, 0, p[0].value(), 0, v.length);
            System.arraycopy(v, 0, p[1].value(), 0, v.length);
        }
        Map<String, Object> hp = Map.of("lr", 0.01, "weight_decay", 0.05);
        Optimizer onCpu = new Optimizer("adamw", NamedRules.build("adamw", hp), Schedule.constant(0.01), List.of(a, b), new StateTree());
        Optimizer onGpu = new Optimizer("adamw", NamedRules.build("adamw", hp, Schedule.constant(0.01), gpu), Schedule.constant(0.01),
                List.of(a2, b2), new StateTree());
        for (int s = 1; s <= 5; s++) {
            for (Param[] p : new Param[][] {{a, a2}, {b, b2}}) {
                float[] g = gaussian(rng, p[0].size(), 0.1);
                System.arraycopy(g, 0, p[0].grad(), 0, g.length);
                System.arraycopy(g, 0, p[1].grad(), 0, g.length);
            }
            onCpu.step(s);
            onGpu.step(s);
        }
        assertSameBits(a.value(), a2.value(), "w");
        assertSameBits(b.value(), b2.value(), "b");
    }
}
