package dopt.train;

import dopt.comm.Communicator;
import dopt.io.TraceData;
import dopt.state.StateTree;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-step metrics of one rank and the held-out evaluations, preallocated for the whole run so
 * recording allocates nothing. {@link #gather} assembles the {@link TraceData} that the HDF5 trace
 * holds; {@link #store} and {@link #restore} keep it in the checkpoint for resume.
 */
final class TraceRecorder {
    /** Metric name, units and whether it is a count (int64) rather than a measurement (float32), in file order. */
    private record Spec(String name, String units, boolean count) {}

    private static final Spec[] METRICS = {
            new Spec("loss", "nats (rank-local batch)", false),
            new Spec("global_loss", "nats (mean over ranks)", false),
            new Spec("grad_norm", "l2 norm of the averaged gradient", false),
            new Spec("lr", "learning rate", false),
            new Spec("bytes_sent", "bytes (this step)", true),
            new Spec("bytes_received", "bytes (this step)", true),
            new Spec("compute_ms", "milliseconds", false),
            new Spec("comm_ms", "milliseconds", false),
            new Spec("rejected_messages", "peer messages that failed validation (this step)", true),
    };
    private static final int LOSS = 0, GLOBAL_LOSS = 1, GRAD_NORM = 2, LR = 3, SENT = 4, RECEIVED = 5, COMPUTE = 6, COMM = 7,
            REJECTED = 8;

    /** Checkpoint paths of the evaluations, under the checkpoint's {@code trace/}. */
    static final String EVAL_STEP = "eval/step", EVAL_LOSS = "eval/loss", EVAL_ACCURACY = "eval/accuracy";

    private final int steps;
    /** [metric][step]; a count's row stays unused here, its values live in {@link #counts}. */
    private final float[][] floats;
    private final long[][] counts;
    private final long[] evalSteps;
    private final double[] evalLoss, evalAccuracy;
    private int evaluations;

    TraceRecorder(int steps) {
        this.steps = steps;
        this.floats = new float[METRICS.length][];
        this.counts = new long[METRICS.length][];
        for (int m = 0; m < METRICS.length; m++) {
            if (METRICS[m].count()) counts[m] = new long[steps];
            else floats[m] = new float[steps];
        }
        // one evaluation per step at most: the periodic ones and the final one share no step
        this.evalSteps = new long[steps + 1];
        this.evalLoss = new double[steps + 1];
        this.evalAccuracy = new double[steps + 1];
    }

    /** Records the metrics of 1-based {@code step}. */
    void record(long step, float loss, float globalLoss, float gradNorm, float lr, long sent, long received,
                float computeMs, float commMs, int rejected) {
        int i = (int) step - 1;
        floats[LOSS][i] = loss;
        floats[GLOBAL_LOSS][i] = globalLoss;
        floats[GRAD_NORM][i] = gradNorm;
        floats[LR][i] = lr;
        counts[SENT][i] = sent;
        counts[RECEIVED][i] = received;
        floats[COMPUTE][i] = computeMs;
        floats[COMM][i] = commMs;
        counts[REJECTED][i] = rejected;
    }

    /** The last finite agreed loss at or before 1-based {@code step} (NaN if none): the final loss of a run resumed at its end. */
    float lastAgreedLoss(long step) {
        for (int i = (int) Math.min(step, steps) - 1; i >= 0; i--) if (Float.isFinite(floats[GLOBAL_LOSS][i])) return floats[GLOBAL_LOSS][i];
        return Float.NaN;
    }

    /** Records a held-out evaluation after {@code step}; {@code accuracy} is NaN for language models. */
    void evaluated(long step, double accuracy, double loss) {
        if (evaluations == evalSteps.length) throw new IllegalStateException("more evaluations than steps: " + (evaluations + 1));
        evalSteps[evaluations] = step;
        evalLoss[evaluations] = loss;
        evalAccuracy[evaluations] = accuracy;
        evaluations++;
    }

    /** Every rank's first {@code upTo} steps, with this rank's evaluations up to then; a collective call. */
    TraceData gather(Communicator comm, int upTo) {
        int n = comm.size();
        long[] stepIndex = new long[upTo];
        for (int s = 0; s < upTo; s++) stepIndex[s] = s + 1;
        Map<String, TraceData.Metric> out = new LinkedHashMap<>();
        float[] all = new float[upTo * n];
        for (int m = 0; m < METRICS.length; m++) {
            Spec spec = METRICS[m];
            if (spec.count()) {
                out.put(spec.name(), new TraceData.Counts(gatherCounts(comm, counts[m], upTo), spec.units()));
                continue;
            }
            comm.allgather(floats[m], 0, upTo, all, 0);
            float[][] matrix = new float[upTo][n];
            for (int r = 0; r < n; r++)
                for (int s = 0; s < upTo; s++) matrix[s][r] = all[r * upTo + s];
            out.put(spec.name(), new TraceData.Floats(matrix, spec.units()));
        }
        int k = 0;
        while (k < evaluations && evalSteps[k] <= upTo) k++;
        TraceData.Evaluations ev = new TraceData.Evaluations(Arrays.copyOf(evalSteps, k), Arrays.copyOf(evalLoss, k),
                Arrays.copyOf(evalAccuracy, k));
        return new TraceData(stepIndex, out, ev);
    }

    private static long[][] gatherCounts(Communicator comm, long[] mine, int upTo) {
        ByteBuffer b = ByteBuffer.allocate(8 * upTo);
        for (int s = 0; s < upTo; s++) b.putLong(mine[s]);
        byte[][] all = comm.allgatherBytes(b.array());
        long[][] matrix = new long[upTo][all.length];
        for (int r = 0; r < all.length; r++) {
            ByteBuffer in = ByteBuffer.wrap(all[r]);
            for (int s = 0; s < upTo; s++) matrix[s][r] = in.getLong();
        }
        return matrix;
    }

    /** Adds {@code trace} to a checkpoint's tree under {@code trace/}: flat [step][rank] leaves, evaluations as vectors. */
    static void store(TraceData trace, StateTree tree, int ranks) {
        int rows = trace.steps().length;
        for (Map.Entry<String, TraceData.Metric> e : trace.metrics().entrySet()) {
            String path = "trace/" + e.getKey();
            if (e.getValue() instanceof TraceData.Counts c) {
                long[] flat = new long[rows * ranks];
                for (int s = 0; s < rows; s++) System.arraycopy(c.values()[s], 0, flat, s * ranks, ranks);
                tree.putLongs(path, flat);
            } else {
                float[][] m = ((TraceData.Floats) e.getValue()).values();
                float[] flat = new float[rows * ranks];
                for (int s = 0; s < rows; s++) System.arraycopy(m[s], 0, flat, s * ranks, ranks);
                tree.putFloats(path, flat, rows, ranks);
            }
        }
        TraceData.Evaluations ev = trace.evaluations();
        tree.putLongs("trace/" + EVAL_STEP, ev.steps().clone());
        tree.putDoubles("trace/" + EVAL_LOSS, ev.loss().clone(), ev.size());
        tree.putDoubles("trace/" + EVAL_ACCURACY, ev.accuracy().clone(), ev.size());
    }

    /**
     * Restores this rank's part of a checkpoint's trace leaf ({@code path} below {@code trace/}).
     * Checkpoints written before counts were int64 hold them as float32 [step][rank] leaves, whose
     * whole values are taken; those checkpoints hold no evaluations.
     */
    void restore(String path, StateTree.Leaf leaf, int ranks, int rank) {
        switch (path) {
            case EVAL_STEP -> {
                long[] s = ((StateTree.LongLeaf) leaf).data();
                evaluations = Math.min(s.length, evalSteps.length);
                System.arraycopy(s, 0, evalSteps, 0, evaluations);
                return;
            }
            case EVAL_LOSS -> { copyPrefix(((StateTree.DoubleLeaf) leaf).data(), evalLoss); return; }
            case EVAL_ACCURACY -> { copyPrefix(((StateTree.DoubleLeaf) leaf).data(), evalAccuracy); return; }
            default -> { }
        }
        for (int m = 0; m < METRICS.length; m++) {
            if (!METRICS[m].name().equals(path)) continue;
            if (leaf instanceof StateTree.LongLeaf l) {
                int rows = Math.min(steps, l.data().length / ranks);
                for (int s = 0; s < rows; s++) counts[m][s] = l.data()[s * ranks + rank];
            } else {
                float[] f = ((StateTree.FloatLeaf) leaf).data();
                int rows = Math.min(steps, f.length / ranks);
                for (int s = 0; s < rows; s++) {
                    if (METRICS[m].count()) counts[m][s] = (long) f[s * ranks + rank];
                    else floats[m][s] = f[s * ranks + rank];
                }
            }
        }
    }

    private static void copyPrefix(double[] from, double[] to) {
        System.arraycopy(from, 0, to, 0, Math.min(from.length, to.length));
    }
}
