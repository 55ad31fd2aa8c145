package dopt.train;

import dopt.nn.Batch;
import dopt.nn.Network;
import dopt.nn.Stage;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * This rank's pipeline stage where the {@link Task} expects a network: it gives the task the stage's
 * parameters and initialisation. The stage cannot compute a loss alone, so the passes go through the
 * {@link Pipeline} policy (training) and {@link Evaluations#pipelined} (held-out data), which drive
 * every stage together.
 */
final class StageNetwork implements Network<Batch.Examples> {
    private final Stage stage;
    private final int stageIndex, stages, rows;

    /** {@code rows}: rows per micro-batch, the most the stage takes at once. */
    StageNetwork(Stage stage, int stageIndex, int stages, int rows) {
        this.stage = stage;
        this.stageIndex = stageIndex;
        this.stages = stages;
        this.rows = rows;
    }

    Stage stage() { return stage; }

    int index() { return stageIndex; }

    int stages() { return stages; }

    int rows() { return rows; }

    @Override public List<Param> params() { return stage.params(); }

    @Override public void init(Rng rng) { stage.init(rng); }

    @Override
    public float forwardBackward(Batch.Examples batch) {
        throw new UnsupportedOperationException("a pipeline stage trains through the Pipeline policy, with every stage at once");
    }

    @Override
    public float loss(Batch.Examples batch) {
        throw new UnsupportedOperationException("a pipeline stage evaluates through Evaluations.pipelined, with every stage at once");
    }
}
