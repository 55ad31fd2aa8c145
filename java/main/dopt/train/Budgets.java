package dopt.train;

import dopt.compress.PowerSgd;
import dopt.job.Budget;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.optim.Partition;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * Budgets as inputs: {@code optimizer.state_budget} (optimizer-state bytes per rank) and
 * {@code comm.bytes_per_step} (bytes of a rank's gradient message) become the setting that fits,
 * the largest rho, rank, active blocks, ratio or levels whose <em>exact</em> bytes are within the
 * budget. Exact means the same accounting the run reports: the optimizer is built over the job's
 * parameters in a scratch state tree and asked for {@code stateBytes()}, the compressor is asked for
 * its {@code wireBytes}. Both are monotone in the setting, so a binary search finds the largest fit.
 *
 * <p>The launcher's pre-flight check and every rank call {@link #resolve} on the same job and
 * parameter shapes, so all agree on the choice without talking.
 */
public final class Budgets {
    private Budgets() { }

    /**
     * The job with its budgets replaced by the settings they chose.
     *
     * @param job      as run: budgets gone, the chosen rho/rank/blocks/ratio/levels set
     * @param lines    what was chosen and the bytes reached, for the console
     * @param setting  the chosen settings in short ("rho 0.2497; ratio 0.01"), or null without budgets
     */
    public record Choice(Job job, List<String> lines, String setting) { }

    /** {@code job}'s budgets turned into settings for {@code params}; a budget no setting meets is an error naming the smallest reachable. */
    public static Choice resolve(Job job, List<Param> params) throws JobException {
        if (job.optimizer.stateBudget == null && job.comm.bytesPerStep == null) return new Choice(job, List.of(), null);
        Job out = JobFile.parse(JobFile.toJson(job), "job " + job.name + " (budgets resolved)");
        List<String> lines = new ArrayList<>(), settings = new ArrayList<>();
        if (job.optimizer.stateBudget != null) stateBudget(out, params, lines, settings);
        if (job.comm.bytesPerStep != null) messageBudget(out, params, lines, settings);
        return new Choice(out, List.copyOf(lines), String.join("; ", settings));
    }

    /** Optimizer-state bytes per rank of {@code spec} over {@code params} (what the summary reports). */
    static long stateBytes(Job.OptimizerSpec spec, int steps, List<Param> params) {
        return Optimizers.build(spec, steps, 0, params, new StateTree(), "optim").stateBytes();
    }

    private static void stateBudget(Job job, List<Param> params, List<String> lines, List<String> settings) throws JobException {
        Job.OptimizerSpec o = job.optimizer;
        Budget b = Budget.parse(o.stateBudget, "optimizer.state_budget");
        o.stateBudget = null;
        Job.OptimizerSpec adamw = new Job.OptimizerSpec();
        adamw.name = Job.OptimizerName.ADAMW;
        long reference = stateBytes(adamw, job.steps, params), limit = b.of(reference);
        List<Param> matrices = params.stream().filter(Partition::isMatrix).toList();
        long coords = 0;
        int side = Integer.MAX_VALUE;
        for (Param p : matrices) {
            coords += p.size();
            side = Math.min(side, Math.min(p.rows(), p.cols()));
        }
        long lo, hi;
        LongUnaryOperator set;
        String what;
        switch (o.name) {
            case FRUGAL -> {
                // blocks: rho = k / (matrix coordinates), every whole window size; svd, random: rho in steps of 1e-5
                long k = o.projector == Job.Projector.BLOCKS ? Math.max(1, coords) : 100_000;
                lo = 0;
                hi = k;
                set = v -> {
                    // the shortest decimal that gives the same window (blocks: round(rho·N) = v)
                    o.rho = shortest((double) v / k, r -> Math.round(r * k) == v);
                    return stateBytes(o, job.steps, params);
                };
                what = "rho";
            }
            case GALORE -> {
                lo = 1;
                hi = matrices.isEmpty() ? 1 : Math.max(1, side - 1);
                set = v -> {
                    o.rank = (int) v;
                    return stateBytes(o, job.steps, params);
                };
                what = "rank";
            }
            case BADAM -> {
                lo = 1;
                hi = Math.max(1, matrices.size());
                set = v -> {
                    o.blocks = (int) v;
                    return stateBytes(o, job.steps, params);
                };
                what = "blocks";
            }
            default -> throw new JobException("'optimizer.state_budget' applies to frugal, galore and badam, not " + o.name.id());
        }
        String budget = "optimizer.state_budget " + b.describe(reference, "AdamW's state");
        long v = largestFitting(lo, hi, set, limit);
        if (v < 0) {
            long least = set.applyAsLong(lo);
            throw new JobException("'" + budget + "' is below the least state " + o.name.id() + " can keep for this model: "
                    + Budget.human(least) + " per rank (" + what + " " + number(what, lo, o) + "); give at least that");
        }
        long reached = set.applyAsLong(v);
        String chosen = what + " " + number(what, v, o);
        lines.add(budget + ": " + o.name.id() + " " + chosen + " keeps " + Budget.human(reached) + " per rank");
        settings.add(chosen);
    }

    private static String number(String what, long v, Job.OptimizerSpec o) {
        return what.equals("rho") ? Double.toString(o.rho) : Long.toString(v);
    }

    private static void messageBudget(Job job, List<Param> params, List<String> lines, List<String> settings) throws JobException {
        Job.Comm c = job.comm;
        Budget b = Budget.parse(c.bytesPerStep, "comm.bytes_per_step");
        c.bytesPerStep = null;
        int n = Flat.length(params);
        long dense = 4L * n, limit = b.of(dense);
        String budget = "comm.bytes_per_step " + b.describe(dense, "the dense gradient's");
        long lo, hi;
        LongUnaryOperator set;
        String what = c.budgetKnob();
        switch (c.compressor) {
            case TOPK, RANDK -> {
                lo = 1;
                hi = n;
                set = k -> {
                    // the shortest decimal that keeps the same k = max(1, round(ratio·n)) as TopK and RandK count it
                    c.ratio = shortest((double) k / n, r -> Math.max(1, Math.round(r * n)) == k);
                    return messageBytes(job, params);
                };
            }
            case QSGD, NATURAL_DITHERING -> {
                lo = 1;
                hi = c.compressor == Job.CompressorName.QSGD ? MAX_QSGD_LEVELS : 32;
                set = s -> {
                    c.levels = (int) s;
                    return messageBytes(job, params);
                };
            }
            case POWERSGD -> {
                int widest = 1;
                for (Param p : params) if (p.shape().length >= 2) widest = Math.max(widest, Math.min(p.shape()[0], p.size() / p.shape()[0]));
                lo = 1;
                hi = widest;
                set = r -> {
                    c.rank = (int) r;
                    return messageBytes(job, params);
                };
            }
            default -> {
                long bytes = messageBytes(job, params);
                if (bytes > limit)
                    throw new JobException("'" + budget + "' is below what compressor " + c.compressor.id() + " sends: "
                            + Budget.human(bytes) + " per step; choose a compressor with a setting (topk, randk, qsgd, "
                            + "natural-dithering, powersgd) or give at least that");
                lines.add(budget + ": " + c.compressor.id() + " sends " + Budget.human(bytes) + " per step (it has no setting)");
                return;
            }
        }
        long v = largestFitting(lo, hi, set, limit);
        if (v < 0) {
            long least = set.applyAsLong(lo);
            throw new JobException("'" + budget + "' is below the least " + c.compressor.id() + " can send for this model: "
                    + Budget.human(least) + " per step (" + what + " " + knob(c) + "); give at least that");
        }
        long reached = set.applyAsLong(v);
        String chosen = what + " " + knob(c);
        lines.add(budget + ": " + c.compressor.id() + " " + chosen + " sends " + Budget.human(reached) + " per step");
        settings.add(chosen);
    }

    private static String knob(Job.Comm c) {
        return switch (c.compressor) {
            case TOPK, RANDK -> Double.toString(c.ratio);
            case QSGD, NATURAL_DITHERING -> Integer.toString(c.levels);
            case POWERSGD -> Integer.toString(c.rank);
            default -> "";
        };
    }

    /** QSGD's largest level count a budget may choose: 2^16 - 1, past which float32 gradients gain nothing. */
    static final int MAX_QSGD_LEVELS = 65_535;

    /**
     * Bytes of one rank's gradient message per step under the job's comm section: the dense float32
     * gradient, a compressor's wire encoding, or PowerSGD's two factors; -1 where a step sends no
     * gradient message (federated rounds, local steps).
     */
    public static long messageBytes(Job job, List<Param> params) {
        if (job.federated != null || job.comm.localSteps > 1) return -1;
        int n = Flat.length(params);
        return switch (job.comm.compressor) {
            case NONE -> 4L * n;
            case POWERSGD -> new PowerSgd(PowerSgdMean.blocks(params), job.comm.rank, false).wireBytes();
            default -> CompressedMean.compressor(job.comm).wireBytes(n);
        };
    }

    /** {@code x} to the fewest significant digits that {@code same} still accepts (x itself at worst). */
    static double shortest(double x, java.util.function.DoublePredicate same) {
        for (int digits = 1; digits < 17; digits++) {
            double c = new java.math.BigDecimal(x).round(new java.math.MathContext(digits)).doubleValue();
            if (same.test(c) && c <= 1) return c;
        }
        return x;
    }

    /** The largest v in [lo, hi] with bytes(v) &lt;= limit, for bytes non-decreasing in v; -1 if not even lo fits. */
    static long largestFitting(long lo, long hi, LongUnaryOperator bytes, long limit) {
        if (bytes.applyAsLong(lo) > limit) return -1;
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            if (bytes.applyAsLong(mid) <= limit) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
}
