package dopt.bench;

import dopt.nn.TransformerConfig;
import dopt.nn.TransformerLm;
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

/**
 * Forward + backward of the byte-level {@link TransformerConfig#bytes1M()} LM (1.07 M parameters)
 * on batch 8 × 128 positions (1024 predicted tokens per step), no optimizer step. Tokens per second
 * = 1024 / (ms per op) · 1000.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TransformerStepBench {
    @Param({"1", "2"})
    public int threads;

    static final int BATCH = 8, SEQ = 128;
    TransformerLm lm;
    int[] tokens;

    @Setup
    public void setup() {
        lm = new TransformerLm(TransformerConfig.bytes1M().withMaxSeqLen(SEQ), BATCH);
        lm.init(new Rng(1));
        Rng rng = new Rng(2);
        tokens = new int[BATCH * (SEQ + 1)];
        for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(256);
        Dense.setThreads(threads);
    }

    @Benchmark
    public float forwardBackward() {
        return lm.forwardBackward(tokens, BATCH, SEQ);
    }
}
