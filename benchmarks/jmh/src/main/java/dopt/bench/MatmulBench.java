package dopt.bench;

import dopt.random.Rng;
import dopt.tensor.Dense;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Square float matrix product out = a·b; GFLOP/s = 2n³ / time. Compared with torch.matmul by engine.sh. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MatmulBench {
    @Param({"512", "1024", "2048"})
    public int n;
    @Param({"1", "2"})
    public int threads;

    float[] a, b, out;

    @Setup
    public void setup() {
        Rng rng = new Rng(1);
        a = new float[n * n];
        b = new float[n * n];
        out = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextGaussian();
            b[i] = (float) rng.nextGaussian();
        }
        Dense.setThreads(threads);
        // JMH forks a fresh JVM per size, and a 2048³ product runs only a few times per iteration:
        // without this the kernel stays in an on-stack-replacement compilation, several times slower
        // than the normal one a training run reaches after its first steps
        float[] s = new float[96 * 96];
        for (int i = 0; i < 3000; i++) Dense.matmul(s, s, new float[96 * 96], 96, 96, 96);
    }

    @Benchmark
    public float[] matmul() {
        Dense.matmul(a, b, out, n, n, n);
        return out;
    }
}
