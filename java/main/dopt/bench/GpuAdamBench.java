package dopt.bench;

import dopt.backend.CpuBackend;
import dopt.backend.CudaBackend;
import dopt.tensor.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fused Adam step of {@link CudaBackend} against the HBM floor, on one GPU
 * ({@code benchmarks/gpu/run-on-device.sh} runs it next to {@code torch.optim.Adam(fused=True)}).
 *
 * <p>The floor: one Adam step reads x, g, m, v and writes x, m, v, 28 bytes per parameter, so it
 * cannot take less than 28·N / B, with B the device-to-device bandwidth our own copy kernel reaches
 * in the same run (2 × bytes copied / time, on 1 GiB buffers). Each size: 3 warm-up steps, then
 * {@code iters} timed steps (wall clock around the launches, synchronised at both ends). After the
 * run, the first 16 parameters are checked bit for bit against the CPU backend on the same inputs.
 *
 * <p>Usage: {@code GpuAdamBench OUT.json [iters] [N1,N2,...]} (default 20 iterations, 1e8,5e8,1e9).
 */
public final class GpuAdamBench {
    private GpuAdamBench() { }

    private static final int WARMUP = 3;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "gpu-adam-java.json");
        int iters = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<Long> sizes = new ArrayList<>();
        for (String s : (args.length > 2 ? args[2] : "100000000,500000000,1000000000").split(",")) sizes.add((long) Double.parseDouble(s));
        try (CudaBackend gpu = CudaBackend.open(0)) {
            double copyBytesPerS = copyBandwidth(gpu, 1L << 28, 10);
            System.out.printf(Locale.ROOT, "%s: copy kernel %.1f GB/s (read + write)%n", gpu.name(), copyBytesPerS / 1e9);
            StringBuilder json = new StringBuilder();
            json.append(String.format(Locale.ROOT, "{\"device\": \"%s\", \"copy_gbps\": %.3f, \"iters\": %d, \"bytes_per_param\": 28, \"runs\": [",
                    gpu.name().replace("\"", "'"), copyBytesPerS / 1e9, iters));
            for (int i = 0; i < sizes.size(); i++) {
                long n = sizes.get(i);
                double seconds = adamStepSeconds(gpu, n, iters);
                double floor = 28.0 * n / copyBytesPerS;
                System.out.printf(Locale.ROOT, "adam N=%d: %.3f ms/step, %.1f GB/s, HBM floor %.3f ms (%.2fx)%n",
                        n, seconds * 1e3, 28.0 * n / seconds / 1e9, floor * 1e3, seconds / floor);
                json.append(String.format(Locale.ROOT, "%s{\"n\": %d, \"ms_per_step\": %.6f, \"gbps\": %.3f, \"floor_ms\": %.6f}",
                        i == 0 ? "" : ", ", n, seconds * 1e3, 28.0 * n / seconds / 1e9, floor * 1e3));
            }
            json.append("]}\n");
            if (out.getParent() != null) Files.createDirectories(out.getParent());
            Files.writeString(out, json.toString());
        }
    }

    /** Bytes read plus bytes written per second by the copy kernel on two buffers of {@code n} floats. */
    static double copyBandwidth(Backend gpu, long n, int reps) {
        try (Backend.Buffer a = gpu.allocate(n); Backend.Buffer b = gpu.allocate(n)) {
            gpu.fill(a, n, 1f);
            for (int i = 0; i < 3; i++) gpu.copy(a, b, n);
            gpu.synchronize();
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) gpu.copy(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a, n);
            gpu.synchronize();
            return 2.0 * 4 * n * reps / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Seconds per fused Adam step over n parameters (x = 0.5, g = 1e-3, zero moments). */
    static double adamStepSeconds(Backend gpu, long n, int iters) {
        Backend.Adam adam = new Backend.Adam(0.9f, 0.999f, 1e-8f);
        try (Backend.Buffer x = gpu.allocate(n); Backend.Buffer g = gpu.allocate(n);
             Backend.Buffer m = gpu.allocate(n); Backend.Buffer v = gpu.allocate(n)) {
            gpu.fill(x, n, 0.5f);
            gpu.fill(g, n, 1e-3f);
            long t = 0;
            for (int i = 0; i < WARMUP; i++) gpu.adamStep(x, g, m, v, n, adam, ++t, 1e-3f, 0f, false, 1f);
            gpu.synchronize();
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) gpu.adamStep(x, g, m, v, n, adam, ++t, 1e-3f, 0f, false, 1f);
            gpu.synchronize();
            double seconds = (System.nanoTime() - t0) / 1e9 / iters;
            check(gpu, x, t);
            return seconds;
        }
    }

    /** The same steps on 16 parameters on the CPU backend must give the same bits. */
    private static void check(Backend gpu, Backend.Buffer x, long steps) {
        int k = 16;
        float[] got = new float[k];
        gpu.download(x, 0, got, 0, k);
        CpuBackend cpu = new CpuBackend();
        Backend.Buffer cx = cpu.allocate(k), cg = cpu.allocate(k), cm = cpu.allocate(k), cv = cpu.allocate(k);
        cpu.fill(cx, k, 0.5f);
        cpu.fill(cg, k, 1e-3f);
        Backend.Adam adam = new Backend.Adam(0.9f, 0.999f, 1e-8f);
        for (long t = 1; t <= steps; t++) cpu.adamStep(cx, cg, cm, cv, k, adam, t, 1e-3f, 0f, false, 1f);
        float[] ref = new float[k];
        cpu.download(cx, ref);
        for (int i = 0; i < k; i++)
            if (Float.floatToRawIntBits(ref[i]) != Float.floatToRawIntBits(got[i]))
                throw new IllegalStateException("GPU Adam differs from the CPU backend at " + i + ": " + got[i] + " vs " + ref[i]);
    }
}
