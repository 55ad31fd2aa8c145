package dopt.bench;

import dopt.nn.TransformerConfig;
import dopt.nn.TransformerLm;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Dense;
import java.util.Map;
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
 * One full training step of the LLaMA-style {@link TransformerLm}: forward, backward and the
 * {@code adamw} rule (lr 1e-3, weight decay 1e-2), on batch 8 × 128 positions (1024 predicted
 * tokens). benchmarks/lm_torch.py times the same step of the same architecture in PyTorch;
 * benchmarks/engine-lm.sh turns both into tokens per second. Threads: {@link Dense#setThreads}
 * splits the rows of every matrix product; attention, norms and the optimizer stay on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LmTrainStepBench {
    @Param({"1m", "20m"})
    public String preset;
    @Param({"1", "2"})
    public int threads;

    static final int BATCH = 8, SEQ = 128;
    TransformerLm lm;
    Optimizer adamw;
    int[] tokens;
    long step;

    static TransformerConfig config(String preset) {
        return switch (preset) {
            case "1m" -> TransformerConfig.bytes1M();
            case "20m" -> TransformerConfig.bytes20M();
            default -> throw new IllegalArgumentException("unknown preset " + preset);
        };
    }

    @Setup
    public void setup() {
        warmUp();
        lm = new TransformerLm(config(preset).withMaxSeqLen(SEQ), BATCH);
        lm.init(new Rng(1));
        adamw = new Optimizer("adamw", NamedRules.build("adamw", Map.of()), Schedule.constant(1e-3), lm.params(), new StateTree());
        Rng rng = new Rng(2);
        tokens = new int[BATCH * (SEQ + 1)];
        for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(256);
        Dense.setThreads(threads);
    }

    /**
     * A few hundred steps of a tiny model of the same architecture first, so that every kernel
     * runs C2-compiled from the first measured step: a 20m step takes seconds, and JMH's short
     * warm-up would otherwise measure on-stack-replacement and profiling code.
     */
    private static void warmUp() {
        TransformerLm small = new TransformerLm(TransformerConfig.of(256, 32, 1, 2, 16, false), 2);
        small.init(new Rng(3));
        Optimizer o = new Optimizer("adamw", NamedRules.build("adamw", Map.of()), Schedule.constant(1e-3), small.params(), new StateTree());
        int[] t = new int[2 * 17];
        for (int i = 0; i < t.length; i++) t[i] = (i * 37) % 256;
        for (long s = 1; s <= 300; s++) {
            small.forwardBackward(t, 2, 16);
            o.step(s);
        }
    }

    @Benchmark
    public float trainStep() {
        float loss = lm.forwardBackward(tokens, BATCH, SEQ);
        adamw.step(++step);
        return loss;
    }
}
