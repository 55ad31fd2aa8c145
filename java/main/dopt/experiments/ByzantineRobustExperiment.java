package dopt.experiments;

import dopt.aggregate.NamedAggregation;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.train.JobPlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Byzantine-robust training on real ranks ([BYZ]'s first experiment): n = 8 thread ranks train
 * through the engine ({@link ThreadRankTraining}), f of them Byzantine ({@code byzantine} section:
 * an omniscient attack forged from the step's honest gradients, or malformed bytes), every rank
 * aggregating the gradients with a robust rule ({@code aggregation} section), with and without
 * bucketing (Karimireddy, He, Jaggi 2022, "Byzantine-robust learning on heterogeneous datasets via
 * bucketing"). One job per cell, built here as JSON and read by {@link JobFile#parse}, as a user
 * would write it; rules and attacks are defined in aggregation.md.
 *
 * <p>Cells a rule cannot take are not run, and the report says why: the launcher's pre-flight
 * ({@link JobPlan#check}: shards that cannot fill a batch, 2f &lt; n at n = 8, ...) and the rule's
 * own limit at the number of rows it actually sees, which the pre-flight does not check: bucketing
 * leaves ⌈n/s⌉ rows, and malformed rows are dropped before aggregation while the rule keeps its f.
 */
public final class ByzantineRobustExperiment implements Experiment {
    static final int RANKS = 8, BUCKET_S = 2, BATCH = 32;
    static final double IPM_EPS = 0.1, GAUSSIAN_SIGMA = 10.0, DIRICHLET_ALPHA = 0.1;
    /** Geometric median's Weiszfeld iterations as in E's experiments (aggregation.md), nu its default. */
    static final int GM_T = 8, CC_L = 3;

    @Override public String name() { return "byzantine-robust"; }

    @Override
    public String claim() {
        return "robust aggregation (median, trimmed mean, Krum, geometric median, centered clipping) keeps training on track under "
                + "20 % and 40 % Byzantine ranks where the mean fails, and bucketing helps them under non-iid data (Karimireddy, He, "
                + "Jaggi 2022; the premise of Byz-VR-MARINA-PP and the Byzantine-robust VI methods, seed abstracts)";
    }

    /**
     * A learning problem: data set, model, SGD step and centered clipping's radius tau, about the
     * honest gradients' norm (an honest 60-step run of each, seed 1: the mean gradient's norm was
     * 0.5 to 0.7 on MNIST, 0.2 to 0.9 on Spambase).
     */
    record LearningTask(String label, String dataset, List<Integer> hidden, int classes, double lr, double tau) {
        double chance() { return 1.0 / classes; }
    }

    /** A rule of aggregation.md, with or without bucketing in front. */
    record Rule(String name, boolean takesF, Map<String, Object> params, boolean bucketed) {
        String label() { return name + (bucketed ? " + bucketing" : ""); }
    }

    /** An attack of the {@code byzantine} section, with its parameters. */
    record Attack(String name, Map<String, Object> params) { }

    /** One configuration; {@code rule} null and f = 0 is the honest baseline. */
    record Cell(LearningTask task, String sharding, int f, Attack attack, Rule rule) { }

    /** A cell over the seeds: accuracies of the runs that finished, how many diverged, and why seeds or the cell were not run. */
    record Result(Cell cell, double[] accuracy, int diverged, List<String> notRun, double seconds) {
        int runs() { return accuracy.length + diverged; }

        /** Mean over the runs, a diverged run counting as chance (its model is no better than guessing); NaN when nothing ran. */
        double score() {
            if (runs() == 0) return Double.NaN;
            double s = diverged * cell.task().chance();
            for (double a : accuracy) s += a;
            return s / runs();
        }

        double std() {
            double[] all = new double[runs()];
            for (int i = 0; i < all.length; i++) all[i] = i < accuracy.length ? accuracy[i] : cell.task().chance();
            return Stats.std(all);
        }
    }

    static List<LearningTask> tasks() {
        return List.of(new LearningTask("MNIST MLP", "mnist-embedded", List.of(64), 10, 0.1, 1.0),
                new LearningTask("Spambase logistic regression", "spambase-standardized", List.of(), 2, 0.1, 1.0));
    }

    static List<Rule> rules(boolean quick) {
        List<Rule> all = new ArrayList<>();
        all.add(new Rule("mean", false, Map.of(), false)); // bucketing does not change the mean (n divisible by s)
        for (boolean bucketed : new boolean[] {false, true}) {
            all.add(new Rule("median", false, Map.of(), bucketed));
            all.add(new Rule("trimmed_mean", true, Map.of(), bucketed));
            if (quick) continue;
            all.add(new Rule("krum", true, Map.of(), bucketed));
            all.add(new Rule("geometric_median", false, Map.of("T", GM_T, "nu", 0.1), bucketed));
            all.add(new Rule("centered_clipping", false, Map.of("L", CC_L), bucketed));
        }
        all.sort(java.util.Comparator.comparingInt(ByzantineRobustExperiment::order));
        return all;
    }

    private static int order(Rule r) {
        return 2 * List.of("mean", "median", "trimmed_mean", "krum", "geometric_median", "centered_clipping").indexOf(r.name())
                + (r.bucketed() ? 1 : 0);
    }

    static List<Attack> attacks(boolean quick) {
        List<Attack> all = List.of(new Attack("sign_flip", Map.of()), new Attack("ipm", Map.of("eps", IPM_EPS)),
                new Attack("alie", Map.of()), new Attack("bit_flip", Map.of()),
                new Attack("gaussian", Map.of("mu", 0.0, "sigma", GAUSSIAN_SIGMA)), new Attack("garbage", Map.of()));
        return quick ? List.of(all.get(0), all.get(4)) : all;
    }

    /** The job file of one cell and seed, as a user would write it. */
    static String jobJson(Cell c, long seed, int steps) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("name", "byzantine-robust");
        job.put("model", Map.of("hidden", c.task().hidden()));
        job.put("data", Map.of("dataset", c.task().dataset(), "sharding", c.sharding(), "alpha", DIRICHLET_ALPHA, "batch_size", BATCH));
        job.put("optimizer", Map.of("name", "sgd", "lr", c.task().lr(), "momentum", 0.0));
        job.put("steps", steps);
        job.put("seed", seed);
        job.put("eval_every", 0);
        job.put("checkpoint", Map.of("every", 0, "keep", 1));
        job.put("verify_replicas", false);
        Rule r = c.rule() == null ? new Rule("mean", false, Map.of(), false) : c.rule();
        Map<String, Object> agg = new LinkedHashMap<>();
        agg.put("rule", r.name());
        if (r.takesF()) agg.put("f", c.f());
        agg.putAll(r.params());
        if (r.name().equals("centered_clipping")) agg.put("tau", c.task().tau());
        if (r.bucketed()) agg.put("pre_aggregators", List.of(Map.of("name", "bucketing", "s", BUCKET_S)));
        job.put("aggregation", agg);
        if (c.f() > 0) {
            Map<String, Object> byz = new LinkedHashMap<>();
            byz.put("count", c.f());
            byz.put("attack", c.attack().name());
            byz.putAll(c.attack().params());
            job.put("byzantine", byz);
        }
        try {
            return JSON.writeValueAsString(job);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Why the rule cannot aggregate in this cell whatever the seed, or null: its limit at the rows it
     * sees, the valid rows (malformed ones are dropped first: n − f under garbage) after bucketing.
     */
    static String whyNot(Cell c) {
        if (c.rule() == null || !c.rule().takesF()) return null;
        int valid = c.attack() != null && c.attack().name().equals("garbage") ? RANKS - c.f() : RANKS;
        int rows = c.rule().bucketed() ? (valid + BUCKET_S - 1) / BUCKET_S : valid;
        try {
            NamedAggregation.rule(c.rule().name(), Map.of("f", c.f()), rows, 1);
            return null;
        } catch (IllegalArgumentException e) {
            return c.rule().name() + " with f = " + c.f() + " sees " + rows + " rows (" + valid + " valid"
                    + (c.rule().bucketed() ? ", buckets of " + BUCKET_S : "") + "): " + e.getMessage();
        }
    }

    /** Runs a cell over the seeds; a seed the pre-flight refuses (its shards, say) is left out with the reason. */
    static Result run(Cell c, long[] seeds, int steps, Path repo) throws Exception {
        long t0 = System.nanoTime();
        List<String> notRun = new ArrayList<>();
        String why = whyNot(c);
        if (why != null) return new Result(c, new double[0], 0, List.of(why), 0);
        List<Double> acc = new ArrayList<>();
        int diverged = 0;
        // hundreds of runs: the engine's per-run info lines, and under garbage a warning per rejected message per rank and step,
        // would bury the progress lines; the report keeps the numbers (a failure still ends the experiment with its exception)
        String quiet = "dopt.train";
        Level before = LogManager.getLogger(quiet).getLevel();
        Configurator.setLevel(quiet, Level.ERROR);
        try {
            for (long seed : seeds) {
                Job job = JobFile.parse(jobJson(c, seed, steps), "byzantine-robust cell");
                try {
                    JobPlan.check(job, repo, RANKS);
                } catch (JobException e) {
                    notRun.add("seed " + seed + ": " + e.getMessage());
                    continue;
                }
                ThreadRankTraining.Outcome o = ThreadRankTraining.train(job, RANKS, repo);
                if (o.finished()) acc.add(o.summary().testAccuracy());
                else diverged++;
            }
        } finally {
            Configurator.setLevel(quiet, before);
        }
        return new Result(c, acc.stream().mapToDouble(Double::doubleValue).toArray(), diverged, notRun, (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        boolean quick = run.quick();
        int steps = quick ? 60 : 300;
        List<String> shardings = quick ? List.of("iid") : List.of("iid", "dirichlet");
        List<Integer> fs = quick ? List.of(2) : List.of(2, 3);
        Path repo = Path.of(System.getProperty("dopt.home", "."));
        Report report = run.report();
        report.heading("Set-up").paragraph(setUp(quick, steps, shardings, fs));
        List<Result> results = new ArrayList<>();
        for (LearningTask task : tasks())
            for (String sharding : shardings) {
                Result base = run(new Cell(task, sharding, 0, null, null), run.seeds(), steps, repo);
                results.add(base);
                run.progress(task.label() + ", " + sharding + ", honest baseline: " + Report.fmt(base.score()));
                for (int f : fs)
                    for (Attack a : attacks(quick))
                        for (Rule r : rules(quick)) {
                            Result res = run(new Cell(task, sharding, f, a, r), run.seeds(), steps, repo);
                            results.add(res);
                            run.progress(String.format(Locale.ROOT, "%s, %s, f = %d, %s, %s: %s (%.0f s)", task.label(), sharding, f,
                                    a.name(), r.label(), res.runs() == 0 ? "not run" : Report.fmt(res.score()), res.seconds()));
                        }
            }
        new ByzantineRobustReport(results, attacks(quick), rules(quick), shardings, fs, run.seeds().length).write(report);
    }

    private static String setUp(boolean quick, int steps, List<String> shardings, List<Integer> fs) {
        StringBuilder rules = new StringBuilder();
        for (Rule r : rules(quick)) rules.append(rules.length() == 0 ? "" : ", ").append(r.label());
        StringBuilder tasks = new StringBuilder();
        for (LearningTask t : tasks())
            tasks.append(String.format(Locale.ROOT, "%s (%s, model.hidden %s, SGD lr %s, centered clipping tau %s); ", t.label(),
                    t.dataset(), t.hidden(), Report.fmt(t.lr()), Report.fmt(t.tau())));
        return String.format(Locale.ROOT,
                "%sn = %d thread ranks of one process training through the engine (one job file per cell and seed, the same round "
                        + "loop as `./dopt run`), batch %d per rank, plain SGD (no momentum), %d steps, test accuracy at the end. "
                        + "Byzantine ranks: the last f of the 8, f in %s (%s); they hold a shard like the others (so honest ranks see "
                        + "(n − f)/n of the data) and send, instead of their gradient: sign_flip (−mean of the honest gradients), "
                        + "ipm (eps %s), alie (aggregation.md's default z = Φ⁻¹((n−f−s)/(n−f)), s = ⌊n/2⌋+1−f: z = 0 at f = 2, "
                        + "i.e. the honest mean, and z = 0.253 at f = 3), bit_flip (the negated gradient of an honest rank), "
                        + "gaussian (mu 0, sigma %s per coordinate: ten times B's default of 1, which at 60 steps cost the mean only 12 points on MNIST), garbage (malformed bytes, rejected by every rank). "
                        + "Rules (aggregation.md; f = the true f where the rule takes one; geometric median T = %d, nu 0.1; centered "
                        + "clipping L = %d from the previous step's output): %s. Bucketing s = %d; not applied to the mean, which it "
                        + "leaves unchanged. Sharding: %s (Dirichlet alpha %s: label skew, Hsu et al. 2019). Honest baseline: all 8 "
                        + "ranks honest, the mean. A diverged run (stopped by the divergence guard) counts as chance accuracy in the "
                        + "means and is counted in the tables.",
                tasks, RANKS, BATCH, steps, fs.stream().map(f -> f + " (" + (100 * f / RANKS) + " %)").toList(),
                quick ? "quick mode: f = 2, attacks sign_flip and gaussian, rules mean, median and trimmed mean, iid only" : "full grid",
                Report.fmt(IPM_EPS), Report.fmt(GAUSSIAN_SIGMA), GM_T, CC_L, rules, BUCKET_S, shardings, Report.fmt(DIRICHLET_ALPHA));
    }
}
