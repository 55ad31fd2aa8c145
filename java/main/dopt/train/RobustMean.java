package dopt.train;

import dopt.aggregate.AggregationException;
import dopt.aggregate.RobustAggregator;
import dopt.comm.CommTimeoutException;
import dopt.comm.Communicator;
import dopt.comm.Gathered;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.UnaryOperator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Byzantine-robust gradient agreement, the seam [BYZ] builds on: every rank sends its gradient as
 * a dense float32 message, every rank decodes all of them with validation (exact length, finite
 * values) and applies the same {@link RobustAggregator} (a rule with pre-aggregators, see
 * {@code dopt.aggregate}) to the valid rows, so the honest ranks agree on one direction whatever the
 * others sent. A rejected row is counted and left out; the aggregator keeps its configured f.
 *
 * <p>Not yet robust: the loss and the stop vote are still a plain mean over ranks (one rank can
 * poison the progress line and the divergence guard), and a job cannot ask for this policy yet —
 * both are [BYZ]'s next steps. A Byzantine rank is a real rank whose outgoing message passes
 * through {@code tamper}, or a rank of {@link ByzantineRanks} (an omniscient attack on the honest
 * rows, or malformed bytes), before the same collective.
 */
final class RobustMean implements GradientMean.GradientCombiner {
    private static final Logger LOG = LogManager.getLogger(RobustMean.class);

    private final Communicator comm;
    private final RobustAggregator aggregator;
    private final UnaryOperator<byte[]> tamper;
    /** The run's Byzantine ranks and what they send, or null when every rank is honest. */
    private final ByzantineRanks byzantine;
    private final float[][] rows;
    private final boolean[] valid;
    private final float[] agreed;
    private final ByteBuffer mine;

    /** {@code tamper}: what this rank does to its message before sending (the identity for an honest rank). */
    RobustMean(Communicator comm, int n, RobustAggregator aggregator, UnaryOperator<byte[]> tamper) {
        this(comm, n, aggregator, tamper, null);
    }

    /** With {@code byzantine} ranks that forge their messages (an attack on the honest rows, or garbage). */
    RobustMean(Communicator comm, int n, RobustAggregator aggregator, ByzantineRanks byzantine) {
        this(comm, n, aggregator, UnaryOperator.identity(), byzantine);
    }

    private RobustMean(Communicator comm, int n, RobustAggregator aggregator, UnaryOperator<byte[]> tamper, ByzantineRanks byzantine) {
        if (aggregator.rows() != comm.size() || aggregator.dim() != n)
            throw new IllegalArgumentException("the aggregator is sized for " + aggregator.rows() + " x " + aggregator.dim()
                    + ", the job has " + comm.size() + " ranks x " + n + " coordinates");
        this.comm = comm;
        this.aggregator = aggregator;
        this.tamper = tamper;
        this.byzantine = byzantine;
        this.rows = new float[comm.size()][n];
        this.valid = new boolean[comm.size()];
        this.agreed = new float[n];
        this.mine = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public int combine(float[] flat, int n) {
        mine.clear();
        mine.asFloatBuffer().put(flat, 0, n);
        byte[] message = tamper.apply(mine.array());
        if (byzantine != null) message = byzantine.message(comm, message);
        Gathered got = comm.allgatherBytes(message, 4 * n);
        int rejected = 0;
        for (int r = 0; r < rows.length; r++) {
            if (got.status(r) == Gathered.Status.MISSING)
                throw new CommTimeoutException("rank " + comm.rank() + ": no gradient from rank " + r + ": " + got.reason(r));
            String why = got.status(r) == Gathered.Status.OK ? decode(got.message(r), rows[r]) : got.reason(r);
            valid[r] = why == null;
            if (why != null) {
                rejected++;
                LOG.warn("rank {}: rejected the gradient of rank {}: {}", comm.rank(), r, why);
            }
        }
        try {
            aggregator.aggregate(rows, valid, agreed);
        } catch (AggregationException e) {
            throw new NonFiniteException("rank " + comm.rank() + ": no robust aggregate this step (" + e.getMessage() + ", "
                    + rejected + " of " + rows.length + " gradients rejected)");
        }
        System.arraycopy(agreed, 0, flat, 0, n);
        comm.allreduceMean(flat, n, 2);
        return rejected;
    }

    /** Null when {@code message} is exactly n finite little-endian floats (written into {@code row}), else why not. */
    private static String decode(byte[] message, float[] row) {
        if (message.length != 4 * row.length) return message.length + " bytes, expected " + 4 * row.length;
        ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < row.length; i++) {
            float v = in.getFloat();
            if (!Float.isFinite(v)) return "coordinate " + i + " is " + v;
            row[i] = v;
        }
        return null;
    }

    @Override
    public String describe() { return "robust " + aggregator.rule().name(); }
}
