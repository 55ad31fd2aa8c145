package dopt.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which one pipeline stage runs the forward and backward passes of a step's
 * micro-batches. Both schedules give the same gradients (each stage adds its micro-batches'
 * gradients in micro-batch order); they differ in how many activations a stage stashes and in the
 * idle time ("bubble"), (k − 1)/(m + k − 1) of a step for k stages and m micro-batches in both.
 */
public enum Schedule {
    /** Huang et al. 2019, GPipe: all m forwards, then all m backwards; a stage stashes all m micro-batches. */
    GPIPE("gpipe"),
    /**
     * One forward, one backward (PipeDream-Flush; Narayanan et al. 2021, Megatron-LM, Section 2.2.1):
     * stage i runs min(k − i − 1, m) warm-up forwards, then alternates a forward and a backward, then
     * drains the remaining backwards; it stashes at most k − i micro-batches instead of m.
     */
    ONE_F_ONE_B("1f1b");

    private final String id;

    Schedule(String id) { this.id = id; }

    /** The job file's name of the schedule. */
    public String id() { return id; }

    /** The schedule named {@code id} in a job file, or null. */
    public static Schedule byId(String id) {
        for (Schedule s : values()) if (s.id.equals(id)) return s;
        return null;
    }

    /** One pass of one micro-batch. */
    public record Op(boolean forward, int microBatch) {
        @Override public String toString() { return (forward ? "F" : "B") + microBatch; }
    }

    /** Stage {@code stage}'s passes, in order, for {@code stages} stages and {@code microBatches} micro-batches. */
    public List<Op> ops(int stage, int stages, int microBatches) {
        check(stage, stages, microBatches);
        List<Op> ops = new ArrayList<>(2 * microBatches);
        if (this == GPIPE) {
            for (int j = 0; j < microBatches; j++) ops.add(new Op(true, j));
            for (int j = 0; j < microBatches; j++) ops.add(new Op(false, j));
            return ops;
        }
        int warmup = Math.min(stages - stage - 1, microBatches), f = 0, b = 0;
        while (f < warmup) ops.add(new Op(true, f++));
        while (f < microBatches) {
            ops.add(new Op(true, f++));
            ops.add(new Op(false, b++));
        }
        while (b < microBatches) ops.add(new Op(false, b++));
        return ops;
    }

    /**
     * Micro-batches stage {@code stage} holds between their forward and backward passes at most, the
     * slots of its stash: micro-batch j goes to slot j mod slots.
     */
    public int slots(int stage, int stages, int microBatches) {
        check(stage, stages, microBatches);
        return this == GPIPE ? microBatches : Math.min(microBatches, stages - stage);
    }

    private static void check(int stage, int stages, int microBatches) {
        if (stages < 1 || stage < 0 || stage >= stages || microBatches < 1)
            throw new IllegalArgumentException("stage " + stage + " of " + stages + " with " + microBatches + " micro-batches");
    }
}
