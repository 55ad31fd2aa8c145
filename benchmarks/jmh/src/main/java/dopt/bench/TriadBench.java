package dopt.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * STREAM's triad (McCalpin, "Memory Bandwidth and Machine Balance in Current High Performance
 * Computers", 1995): a[i] = b[i] + s·c[i] over three float arrays of 2²⁵ elements (128 MiB each,
 * far beyond any cache), split into {@code threads} contiguous ranges. Bandwidth = 3 · 4 · n bytes /
 * time, STREAM's count (the write-allocate read of a is not counted). optim-step.sh divides the
 * bytes one Adam step must move by it: the memory-bandwidth floor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TriadBench {
    public static final int N = 1 << 25;

    @Param({"1", "2"})
    public int threads;

    float[] a, b, c;
    ExecutorService pool;
    final float s = 3f;

    @Setup
    public void setup() {
        a = new float[N];
        b = new float[N];
        c = new float[N];
        for (int i = 0; i < N; i++) {
            b[i] = i * 1e-7f;
            c[i] = 1f - i * 1e-8f;
        }
        pool = Executors.newFixedThreadPool(threads);
    }

    @TearDown
    public void tearDown() { pool.shutdown(); }

    private void triad(int i0, int i1) {
        float[] a = this.a, b = this.b, c = this.c;
        float s = this.s;
        for (int i = i0; i < i1; i++) a[i] = b[i] + s * c[i];
    }

    @Benchmark
    public float triad() throws Exception {
        if (threads == 1) {
            triad(0, N);
        } else {
            Future<?>[] f = new Future<?>[threads];
            int per = (N + threads - 1) / threads;
            for (int t = 0; t < threads; t++) {
                int i0 = t * per, i1 = Math.min(N, i0 + per);
                f[t] = pool.submit(() -> triad(i0, i1));
            }
            for (Future<?> x : f) x.get();
        }
        return a[N - 1];
    }
}
