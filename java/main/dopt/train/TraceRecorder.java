package dopt.train;

import dopt.comm.Communicator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-step metrics of one rank, preallocated for the whole run so recording allocates nothing.
 * {@link #gather} assembles the [step][rank] matrices that the HDF5 trace and the checkpoint hold.
 */
final class TraceRecorder {
    /** Metric names and units, in the order of {@link #record}'s arguments. */
    static final String[][] METRICS = {
            {"loss", "nats (rank-local batch)"},
            {"global_loss", "nats (mean over ranks)"},
            {"grad_norm", "l2 norm of the averaged gradient"},
            {"lr", "learning rate"},
            {"bytes_sent", "bytes (this step)"},
            {"bytes_received", "bytes (this step)"},
            {"compute_ms", "milliseconds"},
            {"comm_ms", "milliseconds"},
            {"rejected_messages", "peer messages that failed validation (this step)"},
    };

    private final float[][] values;
    private final int steps;

    TraceRecorder(int steps) {
        this.steps = steps;
        this.values = new float[METRICS.length][steps];
    }

    /** Records the metrics of 1-based {@code step}. */
    void record(long step, float loss, float globalLoss, float gradNorm, float lr, float sent, float received,
                float computeMs, float commMs, int rejected) {
        int i = (int) step - 1;
        values[0][i] = loss;
        values[1][i] = globalLoss;
        values[2][i] = gradNorm;
        values[3][i] = lr;
        values[4][i] = sent;
        values[5][i] = received;
        values[6][i] = computeMs;
        values[7][i] = commMs;
        values[8][i] = rejected;
    }

    /** The last finite agreed loss at or before 1-based {@code step} (NaN if none): the final loss of a run resumed at its end. */
    float lastAgreedLoss(long step) {
        for (int i = (int) Math.min(step, steps) - 1; i >= 0; i--) if (Float.isFinite(values[1][i])) return values[1][i];
        return Float.NaN;
    }

    /** Every rank's first {@code upTo} steps as metric → [step][rank]; a collective call. */
    Map<String, float[][]> gather(Communicator comm, int upTo) {
        int n = comm.size();
        float[] all = new float[upTo * n];
        Map<String, float[][]> out = new LinkedHashMap<>();
        for (int m = 0; m < METRICS.length; m++) {
            comm.allgather(values[m], 0, upTo, all, 0);
            float[][] matrix = new float[upTo][n];
            for (int r = 0; r < n; r++)
                for (int s = 0; s < upTo; s++) matrix[s][r] = all[r * upTo + s];
            out.put(METRICS[m][0], matrix);
        }
        return out;
    }

    /** Restores this rank's column of a gathered trace (resume). */
    void restore(String metric, float[] flatStepByRank, int ranks, int rank) {
        for (int m = 0; m < METRICS.length; m++) {
            if (!METRICS[m][0].equals(metric)) continue;
            int rows = Math.min(steps, flatStepByRank.length / ranks);
            for (int s = 0; s < rows; s++) values[m][s] = flatStepByRank[s * ranks + rank];
        }
    }

    static Map<String, String> units() {
        Map<String, String> u = new LinkedHashMap<>();
        for (String[] m : METRICS) u.put(m[0], m[1]);
        return u;
    }
}
