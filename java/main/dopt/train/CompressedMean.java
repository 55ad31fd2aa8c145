package dopt.train;

import dopt.comm.CommTimeoutException;
import dopt.comm.Communicator;
import dopt.comm.Gathered;
import dopt.compress.Compressor;
import dopt.compress.MalformedMessageException;
import dopt.compress.Ef21;
import dopt.compress.ErrorFeedback;
import dopt.compress.NaturalDithering;
import dopt.compress.Qsgd;
import dopt.compress.RandK;
import dopt.compress.ScaledSign;
import dopt.compress.TopK;
import dopt.job.Job;
import dopt.random.Rng;
import dopt.state.StateTree;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Averaging compressed gradients: each rank compresses its gradient (through error feedback when
 * the job asks for it), the messages travel in their wire encoding by allgather, and every rank
 * decodes all of them in rank order and averages, so every rank gets the same bits and the bytes
 * counted are the bytes sent.
 *
 * <p>A peer's message is not trusted: one that fails to decode is left out of the mean (every rank
 * decodes the same bytes, so all leave out the same ones and replicas stay identical), counted, and
 * logged with the reason; it never stops the honest ranks.
 */
final class CompressedMean implements GradientMean.GradientCombiner {
    private static final Logger LOG = LogManager.getLogger(CompressedMean.class);

    private final Compressor compressor;
    private final ErrorFeedback ef;
    private final Communicator comm;
    private final Rng rng;
    private final float[] message, mean;
    /** Which of the last step's messages decoded. */
    private final boolean[] valid;
    private final byte[][] rows;
    /** The longest message a peer may claim; a longer one is refused before anything is allocated for it. */
    private final int maxMessageBytes;
    private final int n;
    /** {1} once EF21's estimates hold the gradients at x⁰ (a state leaf, so a resumed run does not start them again). */
    private long[] ef21Started;

    private CompressedMean(Compressor compressor, ErrorFeedback ef, Communicator comm, Rng rng, int n) {
        this.compressor = compressor;
        this.ef = ef;
        this.comm = comm;
        this.rng = rng;
        this.n = n;
        this.message = new float[n];
        this.mean = new float[n];
        this.valid = new boolean[comm.size()];
        this.rows = new byte[comm.size()][];
        // every honest message has exactly this length; a longer claim is refused before any allocation
        this.maxMessageBytes = (int) Math.min(Integer.MAX_VALUE - 8, compressor.wireBytes(n));
    }

    /** The combiner a job asks for, or null without a compressor. Per-rank state goes under ranks/&lt;r&gt;/ef. */
    static CompressedMean forJob(Job.Comm c, Communicator comm, Rng rankRng, int n, StateTree state) {
        Compressor comp = compressor(c);
        if (comp == null) return null;
        ErrorFeedback ef = ExchangePolicies.errorFeedback(c.errorFeedback, comp);
        if (ef != null) ef.init(n, state, "ranks/" + comm.rank() + "/ef", "ef");
        CompressedMean x = new CompressedMean(comp, ef, comm, rankRng, n);
        if (ef instanceof Ef21) x.ef21Started = state.putLongs("ef/started", 0L);
        return x;
    }

    @Override
    public String describe() {
        return compressor.name() + (ef == null ? "" : " + " + ef.getClass().getSimpleName().toLowerCase());
    }

    /** The compressor the comm section names with its ratio or levels; null for none. */
    static Compressor compressor(Job.Comm c) {
        return switch (c.compressor) {
            case NONE -> null;
            case TOPK -> new TopK(c.ratio);
            case RANDK -> new RandK(c.ratio);
            case SIGN -> new ScaledSign();
            case QSGD -> new Qsgd(c.levels);
            case NATURAL_DITHERING -> new NaturalDithering(c.levels);
            case POWERSGD -> throw new IllegalArgumentException("PowerSGD all-reduces low-rank factors: see PowerSgdMean");
        };
    }

    @Override
    public int combine(float[] flat, int n) {
        int rejected = 0;
        if (ef21Started != null && ef21Started[0] == 0) startEf21(flat);
        else rejected = exchange(flat);
        comm.allreduceMean(flat, n, 2);
        return rejected;
    }

    private int exchange(float[] grad) {
        long bytes = ef != null ? ef.encode(grad, message, rng) : compressor.compress(grad, message, n, rng);
        ByteBuffer wire = ByteBuffer.allocate((int) bytes);
        compressor.encode(message, n, wire);
        Gathered gathered = comm.allgatherBytes(wire.array(), maxMessageBytes);
        byte[][] all = rows;
        for (int r = 0; r < all.length; r++) {
            all[r] = gathered.message(r);
            valid[r] = gathered.status(r) == Gathered.Status.OK;
            // a silent peer may have reached some ranks and not others: only a stop keeps replicas equal
            if (gathered.status(r) == Gathered.Status.MISSING)
                throw new CommTimeoutException("rank " + comm.rank() + ": no compressed gradient from rank " + r + ": " + gathered.reason(r));
            if (!valid[r]) LOG.warn("rank {}: rejected the message of rank {}: {}", comm.rank(), r, gathered.reason(r));
        }
        int ok = decodeValid(all, 1f / all.length);
        if (ok < all.length) {
            if (ok == 0)
                throw new NonFiniteException("rank " + comm.rank() + ": every rank's compressed gradient was rejected, this rank's own "
                        + "included (" + compressor.name() + " refuses non-finite scales): the gradients are not finite");
            // the normal path weights by 1/ranks while decoding; with rows left out, decode the valid ones again
            decodeValid(all, 1f / ok);
        }
        if (ef != null) ef.decode(mean, grad);
        else System.arraycopy(mean, 0, grad, 0, n);
        return all.length - ok;
    }

    /** mean ← Σ w·decode(row) over the rows marked valid; a row that fails to decode is marked invalid. */
    private int decodeValid(byte[][] rows, float w) {
        Arrays.fill(mean, 0f);
        int ok = 0;
        for (int r = 0; r < rows.length; r++) {
            if (!valid[r]) continue;
            try {
                compressor.decodeAdd(ByteBuffer.wrap(rows[r]), n, mean, w);
                ok++;
            } catch (MalformedMessageException e) {
                valid[r] = false;
                LOG.warn("rank {}: rejected the message of rank {} ({} bytes): {}", comm.rank(), r, rows[r].length, e.toString());
            }
        }
        return ok;
    }

    /**
     * EF21's algorithm box begins with gᵢ⁰ = ∇fᵢ(x⁰): one uncompressed all-reduce of the first
     * gradients sets every estimate, and the first step follows g⁰ (normalized for ‖EF21‖).
     */
    private void startEf21(float[] grad) {
        System.arraycopy(grad, 0, mean, 0, n);
        comm.allreduceMean(mean, 0, n);
        ((Ef21) ef).start(grad, mean);
        Arrays.fill(message, 0f);
        ef.decode(message, grad);
        ef21Started[0] = 1;
    }
}
