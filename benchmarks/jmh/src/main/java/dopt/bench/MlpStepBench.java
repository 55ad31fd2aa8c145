package dopt.bench;

import dopt.data.Dataset;
import dopt.data.Mnist;
import dopt.nn.Mlp;
import dopt.optim.Chain;
import dopt.optim.Optimizer;
import dopt.optim.ScaleByAdam;
import dopt.optim.ScaleByLearningRate;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.state.StateTree;
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
 * One training step (forward, backward, Adam) of the MLP 784-512-512-10 at batch 128 on real
 * MNIST digits, the same step engine.sh times in PyTorch (torch.optim.Adam, foreach).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MlpStepBench {
    @Param({"1", "2"})
    public int threads;

    Mlp mlp;
    Optimizer adam;
    float[] x;
    int[] y;
    long step;
    static final int BATCH = 128;

    @Setup
    public void setup() throws Exception {
        Dataset train = Mnist.embedded()[0];
        mlp = new Mlp(784, new int[] {512, 512}, 10, BATCH);
        mlp.init(new Rng(1));
        adam = new Optimizer("adam", new Chain(new ScaleByAdam(0.9, 0.999, 1e-8), new ScaleByLearningRate(Schedule.constant(1e-3))),
                Schedule.constant(1e-3), mlp.params(), new StateTree());
        x = new float[BATCH * 784];
        y = new int[BATCH];
        System.arraycopy(train.x(), 0, x, 0, x.length);
        System.arraycopy(train.y(), 0, y, 0, BATCH);
        Dense.setThreads(threads);
    }

    @Benchmark
    public float step() {
        float loss = mlp.forwardBackward(x, y, BATCH);
        adam.step(++step);
        return loss;
    }
}
