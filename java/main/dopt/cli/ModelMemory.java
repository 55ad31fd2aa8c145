package dopt.cli;

import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import java.util.List;

/**
 * What an MLP job's model needs in a rank JVM, computed in {@code long} from the job before anything
 * is allocated: {@code hidden: [2000000]} on MNIST is 1.6 G weights, which used to end in an
 * OutOfMemoryError inside a rank (or in the launcher's own check), and a matrix of more than
 * 2^31 - 1 floats cannot be one Java array at all.
 *
 * <p>The estimate is a lower bound, so that a job it refuses cannot have fit: per parameter its
 * value, its gradient and one optimizer buffer (Adam keeps two, SGD with momentum one), plus the
 * activations and their gradients for the larger of the training and evaluation batches
 * ({@code dopt.nn.Mlp}'s buffers). The CNN and transformer come in fixed presets.
 */
final class ModelMemory {
    /** Floats per parameter that every rule holds at least: value, gradient, one state buffer. */
    static final int FLOATS_PER_PARAMETER = 3;
    /** The evaluation batch the MLP's buffers are also sized for (dopt.train.Evaluations.EVAL_BATCH). */
    static final int EVAL_BATCH = 500;

    private ModelMemory() { }

    /** The MLP's parameter count: weights and biases of every layer. */
    static long parameters(List<Integer> hidden, int inputs, int classes) {
        long p = 0, in = inputs;
        for (int h : hidden) {
            p += in * h + h;
            in = h;
        }
        return p + in * classes + classes;
    }

    /** Lower bound on the bytes one rank holds for the MLP of {@code job}. */
    static long bytesPerRank(Job job, int inputs, int classes) {
        long batch = Math.max(job.data.batchSize, EVAL_BATCH), units = 0;
        for (int h : job.model.hidden) units += h;
        return 4L * (FLOATS_PER_PARAMETER * parameters(job.model.hidden, inputs, classes) + 2 * batch * (units + classes));
    }

    /**
     * Refuses an MLP whose layers do not fit a Java array or whose ranks need more than
     * {@code heapBytes} (the rank JVM's maximum heap; multicore ranks share one JVM).
     */
    static void check(Job job, int inputs, int classes, int ranksPerJvm, long heapBytes) throws JobException {
        if (job.model.type != Job.ModelType.MLP) return;
        List<Integer> hidden = job.model.hidden;
        long in = inputs, batch = Math.max(job.data.batchSize, EVAL_BATCH);
        for (int h : hidden) {
            if (in * h > JobFile.MAX_ARRAY)
                throw new JobException("'model.hidden' width " + h + " after " + in + " inputs makes a " + in * h
                        + "-weight matrix, more than one Java array holds (" + JobFile.MAX_ARRAY + ")");
            if (batch * h > JobFile.MAX_ARRAY)
                throw new JobException("'model.hidden' width " + h + " times the batch of " + batch + " makes " + batch * h
                        + " activations, more than one Java array holds (" + JobFile.MAX_ARRAY + ")");
            in = h;
        }
        long need = bytesPerRank(job, inputs, classes) * ranksPerJvm;
        if (need > heapBytes)
            throw new JobException("'model.hidden' " + hidden + " gives " + parameters(hidden, inputs, classes) + " parameters: "
                    + (ranksPerJvm > 1 ? ranksPerJvm + " ranks in one JVM (multicore) need" : "a rank needs") + " at least " + need
                    + " bytes (" + mib(need) + " MiB), more than the rank JVM's " + heapBytes + " bytes (" + mib(heapBytes)
                    + " MiB) of heap; use narrower layers" + (ranksPerJvm > 1 ? ", fewer ranks or --dev niodev" : ""));
    }

    private static long mib(long bytes) { return bytes >> 20; }
}
