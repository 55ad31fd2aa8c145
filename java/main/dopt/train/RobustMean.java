package dopt.train;

import dopt.aggregate.AggregationException;
import dopt.aggregate.Aggregator;
import dopt.aggregate.Bucketing;
import dopt.aggregate.CenteredClipping;
import dopt.aggregate.NamedAggregation;
import dopt.aggregate.PreAggregator;
import dopt.aggregate.RobustAggregator;
import dopt.comm.CommTimeoutException;
import dopt.comm.Communicator;
import dopt.comm.Gathered;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.random.Rng;
import dopt.state.StateTree;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * <p>The control values are robust too: the loss the loop sees is the median of the ranks' finite
 * losses and a stop needs a majority. A job asks for this combiner with its {@code aggregation}
 * (and, for experiments, {@code byzantine}) section. A Byzantine rank is a real rank whose outgoing message passes
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
    /** Every rank's {loss, stop vote}, and the finite losses sorted: the robust control values. */
    private final float[] votes, losses;
    /** A bucketing pre-aggregator's live permutation, reshuffled every step from {@link #shuffle}, or null. */
    private final int[] permutation;
    private final Rng shuffle;
    /** Partial participation ({@code aggregation.sampled}): the ranks whose rows a step aggregates, or null for all. */
    private ClientSampling sampling;
    private boolean[] sampled;
    private static final byte[] NOTHING = new byte[0];

    /** {@code tamper}: what this rank does to its message before sending (the identity for an honest rank). */
    RobustMean(Communicator comm, int n, RobustAggregator aggregator, UnaryOperator<byte[]> tamper) {
        this(comm, n, aggregator, tamper, null, null, null);
    }

    /** With {@code byzantine} ranks that forge their messages (an attack on the honest rows, or garbage). */
    RobustMean(Communicator comm, int n, RobustAggregator aggregator, ByzantineRanks byzantine) {
        this(comm, n, aggregator, UnaryOperator.identity(), byzantine, null, null);
    }

    private RobustMean(Communicator comm, int n, RobustAggregator aggregator, UnaryOperator<byte[]> tamper, ByzantineRanks byzantine,
                       int[] permutation, Rng shuffle) {
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
        this.votes = new float[2 * comm.size()];
        this.losses = new float[comm.size()];
        this.permutation = permutation;
        this.shuffle = shuffle;
    }

    /**
     * The combiner a job's {@code aggregation} and {@code byzantine} sections ask for, over {@code n}
     * coordinates. State: centered clipping's centre under {@code exchange/robust/center}, the
     * bucketing shuffle's generator under {@code exchange/robust/shuffle} (the same on every rank), a
     * Byzantine rank's generator under {@code ranks/<r>/byzantine_rng}.
     */
    static RobustMean forJob(Job job, Communicator comm, int n, StateTree state) {
        Parts p = parts(job, comm.size(), comm.rank(), n, state);
        RobustMean m = new RobustMean(comm, n, p.aggregator, UnaryOperator.identity(), p.byzantine, p.permutation, p.shuffle);
        if (job.aggregation != null && job.aggregation.sampled != null) {
            m.sampling = new ClientSampling(job.seed, comm.size(), job.aggregation.sampled);
            m.sampled = new boolean[comm.size()];
        }
        return m;
    }

    /**
     * The ranks whose rows step {@code s} aggregates ({@code aggregation.sampled} of them, drawn
     * uniformly without replacement from (seed, step) alone, so every rank and a resumed run draw
     * the same), or null when every rank takes part. The array is reused.
     */
    boolean[] participants(long s) {
        if (sampling == null) return null;
        java.util.Arrays.fill(sampled, false);
        for (int r : sampling.sample(s)) sampled[r] = true;
        return sampled;
    }

    /** Ranks of the run. */
    int rankCount() { return comm.size(); }

    /** Ranks whose rows a step aggregates. */
    int participantCount() { return sampling == null ? comm.size() : sampling.perRound(); }

    private record Parts(RobustAggregator aggregator, ByzantineRanks byzantine, int[] permutation, Rng shuffle) { }

    private static Parts parts(Job job, int ranks, int rank, int n, StateTree state) {
        Job.Aggregation a = job.aggregation != null ? job.aggregation : new Job.Aggregation();
        List<PreAggregator> pre = new ArrayList<>();
        int[] permutation = null;
        for (Map<String, Object> spec : a.preAggregators) {
            PreAggregator p = NamedAggregation.preAggregator(spec, ranks, n);
            if (p instanceof Bucketing b) permutation = b.permutation();
            pre.add(p);
        }
        Aggregator rule = NamedAggregation.rule(a.rule, a.hyperparameters(), ranks, n);
        if (rule instanceof CenteredClipping cc) state.putFloats("exchange/robust/center", cc.center(), n);
        Rng shuffle = null;
        if (permutation != null) {
            shuffle = Rng.derive(job.seed, 6);
            state.putLongs("exchange/robust/shuffle", shuffle.state());
        }
        ByzantineRanks byzantine = null;
        if (job.byzantine != null) {
            Rng rng = Rng.derive(job.seed, 4, rank);
            state.putLongs("ranks/" + rank + "/byzantine_rng", rng.state());
            ByzantineRanks.Kind kind = switch (job.byzantine.attack) {
                case ByzantineRanks.GARBAGE -> ByzantineRanks.Kind.GARBAGE;
                case ByzantineRanks.LABEL_FLIP -> ByzantineRanks.Kind.LABEL_FLIP;
                default -> ByzantineRanks.Kind.ATTACK;
            };
            if (kind != ByzantineRanks.Kind.ATTACK && !job.byzantine.hyperparameters().isEmpty())
                throw new IllegalArgumentException(job.byzantine.attack + ": unknown parameter '"
                        + job.byzantine.hyperparameters().keySet().iterator().next() + "' (it takes none)");
            byzantine = new ByzantineRanks(ranks, job.byzantine.ranksOf(ranks), kind,
                    kind == ByzantineRanks.Kind.ATTACK ? NamedAggregation.attack(job.byzantine.attack, job.byzantine.hyperparameters(), n) : null,
                    rng, n);
        }
        return new Parts(new RobustAggregator(ranks, n, pre, rule), byzantine, permutation, shuffle);
    }

    /**
     * The launcher's check of a job's {@code aggregation} and {@code byzantine} sections for
     * {@code ranks} ranks: every name, parameter and f against the rank count, without allocating
     * the rows (d = 1 here; nothing the rules check depends on d).
     */
    static void check(Job job, int ranks) throws JobException {
        if (job.aggregation == null && job.byzantine == null) return;
        // Byz-VR-MARINA compresses its differences before they travel densely (JobFile checks Q is unbiased)
        if (job.comm.compressor != Job.CompressorName.NONE && job.byzVrMarina == null || job.comm.localSteps > 1)
            throw new JobException("'aggregation'/'byzantine' work on dense gradients: leave out comm.compressor and comm.local_steps");
        if (job.byzantine != null && (job.byzantine.attack.equals(ByzantineRanks.GARBAGE) || job.byzantine.attack.equals(ByzantineRanks.LABEL_FLIP))) {
            if (!job.byzantine.hyperparameters().isEmpty())
                throw new JobException("byzantine: attack " + job.byzantine.attack + " takes no parameters; remove "
                        + String.join(", ", job.byzantine.hyperparameters().keySet()));
            if (job.byzantine.attack.equals(ByzantineRanks.LABEL_FLIP)
                    && (job.model.type == Job.ModelType.TRANSFORMER || job.model.type == Job.ModelType.TEXT_CLASSIFIER))
                throw new JobException("byzantine: attack label_flip flips class labels of labelled examples: it goes with model.type mlp or cnn");
        }
        try {
            parts(job, ranks, 0, 1, new StateTree());
            Integer c = job.aggregation == null ? null : job.aggregation.sampled;
            if (c != null && c > ranks)
                throw new JobException("aggregation: 'sampled' " + c + " ranks a step of the " + ranks + " ranks of the run; at most " + ranks);
            // the rule sees the sampled rows, and what the pre-aggregators pass on: ⌈n/s⌉ bucket means after bucketing
            int rows = c == null ? ranks : c;
            for (Map<String, Object> spec : job.aggregation == null ? List.<Map<String, Object>>of() : job.aggregation.preAggregators)
                if ("bucketing".equals(spec.get("name")) && spec.get("s") instanceof Number s && s.intValue() > 0)
                    rows = (rows + s.intValue() - 1) / s.intValue();
            if (rows < ranks && job.aggregation != null)
                try {
                    NamedAggregation.rule(job.aggregation.rule, job.aggregation.hyperparameters(), rows, 1);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException((c == null ? "after bucketing" : "with " + c + " sampled ranks a step")
                            + " the rule sees " + rows + " rows: " + e.getMessage());
                }
        } catch (IllegalArgumentException e) {
            throw new JobException((job.byzantine != null && e.getMessage().contains("rank") ? "byzantine: " : "aggregation: ") + e.getMessage());
        }
    }

    @Override
    public int combine(float[] flat, int n) { return exchange(flat, n, null, Double.POSITIVE_INFINITY); }

    /** Step {@code s}: under partial participation only the step's sampled ranks' rows are aggregated. */
    @Override
    public int combine(long s, float[] flat, int n) { return exchange(flat, n, participants(s), Double.POSITIVE_INFINITY); }

    /**
     * {@link #combine} with the rows of the ranks {@code takingPart} only (all when null): the
     * others send nothing and are neither aggregated nor counted as rejected (their loss and stop
     * vote still count). Every valid row is clipped to the ℓ2 ball of radius {@code clipRadius}
     * (+∞: no clipping) by the receiving rank, so a sender cannot escape the clip.
     */
    int exchange(float[] flat, int n, boolean[] takingPart, double clipRadius) {
        mine.clear();
        mine.asFloatBuffer().put(flat, 0, n);
        if (permutation != null) shuffleInPlace(permutation, shuffle);
        byte[] message = tamper.apply(mine.array());
        if (byzantine != null) message = byzantine.message(comm, message, takingPart);
        if (takingPart != null && !takingPart[comm.rank()]) message = NOTHING;
        Gathered got = comm.allgatherBytes(message, 4 * n);
        int rejected = 0;
        for (int r = 0; r < rows.length; r++) {
            if (got.status(r) == Gathered.Status.MISSING)
                throw new CommTimeoutException("rank " + comm.rank() + ": no gradient from rank " + r + ": " + got.reason(r));
            if (takingPart != null && !takingPart[r]) {
                valid[r] = false;
                continue;
            }
            String why = got.status(r) == Gathered.Status.OK ? decode(got.message(r), rows[r]) : got.reason(r);
            valid[r] = why == null;
            if (why != null) {
                rejected++;
                LOG.warn("rank {}: rejected the gradient of rank {}: {}", comm.rank(), r, why);
            } else if (clipRadius < Double.POSITIVE_INFINITY) {
                clip(rows[r], clipRadius);
            }
        }
        try {
            aggregator.aggregate(rows, valid, agreed);
        } catch (AggregationException e) {
            throw new NonFiniteException("rank " + comm.rank() + ": no robust aggregate this step (" + e.getMessage() + ", "
                    + rejected + " of " + rows.length + " gradients rejected)");
        }
        System.arraycopy(agreed, 0, flat, 0, n);
        agreeOnLossAndStop(flat, n);
        return rejected;
    }

    /**
     * The loss for the progress line and the divergence guard is the median of the ranks' finite
     * losses, and the run stops only when a majority votes so: a plain mean would let one rank stop
     * the run or fake a divergence.
     */
    private void agreeOnLossAndStop(float[] flat, int n) {
        int ranks = comm.size();
        comm.allgather(flat, n, 2, votes, 0);
        int finite = 0, stops = 0;
        for (int r = 0; r < ranks; r++) {
            float loss = votes[2 * r];
            if (Float.isFinite(loss)) losses[finite++] = loss;
            if (votes[2 * r + 1] > 0) stops++;
        }
        java.util.Arrays.sort(losses, 0, finite);
        flat[n] = finite == 0 ? Float.NaN : finite % 2 == 1 ? losses[finite / 2] : (losses[finite / 2 - 1] + losses[finite / 2]) / 2;
        flat[n + 1] = 2 * stops > ranks ? 1f : 0f;
    }

    /** row ← row · min(1, radius/‖row‖): the projection onto the ℓ2 ball of that radius (radius 0 gives zeros). */
    static void clip(float[] row, double radius) {
        double sq = 0;
        for (float v : row) sq += (double) v * v;
        double norm = Math.sqrt(sq);
        if (norm <= radius) return;
        float scale = (float) (radius / norm);
        for (int i = 0; i < row.length; i++) row[i] *= scale;
    }

    /** Fisher–Yates from the shared generator, so every rank draws the same buckets. */
    private static void shuffleInPlace(int[] p, Rng rng) {
        for (int i = 0; i < p.length; i++) p[i] = i;
        for (int i = p.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
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
    public String describe() {
        return "robust " + aggregator.rule().name() + (sampling == null ? "" : " of " + sampling.perRound() + " sampled ranks a step")
                + (byzantine == null ? "" : ", " + byzantine.count() + " Byzantine rank(s)");
    }
}
