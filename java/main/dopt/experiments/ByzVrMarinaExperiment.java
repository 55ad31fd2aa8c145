package dopt.experiments;

import dopt.job.Job;
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
 * Byz-VR-MARINA-PP against robust-aggregated SGD under partial participation (Malinovsky,
 * Richtárik, Horváth, Gorbunov 2024, "Byzantine robustness and partial participation can be
 * achieved at once: just clip gradient differences"). n = 8 thread ranks train Spambase logistic
 * regression through the engine ({@link ThreadRankTraining}, one job file per cell and seed), the
 * last f = 3 of them Byzantine, and each step only C = 3 ranks, drawn from (seed, step), are
 * aggregated (coordinate-wise median): a step samples 2 or 3 Byzantine ranks with probability
 * (3·5 + 1)/C(8,3) = 16/56 ≈ 0.29, so the median of such a step is the attackers' row. Robust SGD
 * and momentum SGD then apply it as it is; Byz-VR-MARINA-PP adds it clipped to α‖x^{k+1} − x^k‖,
 * and its full-gradient steps (probability p) aggregate all 8 ranks, where f &lt; n/2.
 */
public final class ByzVrMarinaExperiment implements Experiment {
    static final int RANKS = 8, BYZANTINE = 3, SAMPLED = 3, BATCH = 32;
    static final String DATASET = "spambase-standardized";
    static final double LR = 0.1, MOMENTUM = 0.9, P = 0.1, ALPHA_CLIP = 1.0;
    /** Claim margins: "converges" within this of the honest baseline's accuracy, "fails" this far below Byz-VR-MARINA-PP's. */
    static final double CONVERGED_MARGIN = 0.05, FAILED_MARGIN = 0.10;

    @Override public String name() { return "byz-vr-marina-pp"; }

    @Override
    public String claim() {
        return "with partial participation, where a step can sample mostly Byzantine clients, Byz-VR-MARINA-PP (clipped, variance-reduced "
                + "gradient differences) still converges while robust-aggregated SGD does not (Malinovsky, Richtárik, Horváth, Gorbunov 2024)";
    }

    /** A training method as job-file sections. */
    enum Method {
        HONEST("honest baseline (8 honest ranks, mean, every rank)"),
        SGD("robust SGD (median of the sampled)"),
        MOMENTUM_SGD("robust momentum SGD (momentum 0.9; median of the sampled)"),
        MARINA_PP("Byz-VR-MARINA-PP (p " + P + "; alpha " + ALPHA_CLIP + ")"),
        MARINA_PP_UNCLIPPED("Byz-VR-MARINA-PP without clipping");

        final String label;

        Method(String label) { this.label = label; }
    }

    /** An attack of the {@code byzantine} section with its parameters. */
    record Attack(String name, Map<String, Object> params) {
        /** "gaussian mu=0 sigma=10": parameters in key order (Map.of has none of its own), no comma (a CSV header cell). */
        String label() {
            StringBuilder b = new StringBuilder(name);
            new java.util.TreeMap<>(params).forEach((k, v) -> b.append(' ').append(k).append('=')
                    .append(java.math.BigDecimal.valueOf(((Number) v).doubleValue()).stripTrailingZeros().toPlainString()));
            return b.toString();
        }
    }

    static List<Attack> attacks(boolean quick) {
        List<Attack> all = List.of(new Attack("ipm", Map.of("eps", 10.0)), new Attack("gaussian", Map.of("mu", 0.0, "sigma", 10.0)),
                new Attack("sign_flip", Map.of()), new Attack("label_flip", Map.of()));
        return quick ? all.subList(0, 2) : all;
    }

    /** The job file of one run, as a user would write it. */
    static String jobJson(Method m, Attack a, long seed, int steps) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("name", "byz-vr-marina-pp");
        job.put("model", Map.of("hidden", List.of()));
        job.put("data", Map.of("dataset", DATASET, "batch_size", BATCH));
        job.put("optimizer", Map.of("name", "sgd", "lr", LR, "momentum", m == Method.MOMENTUM_SGD ? MOMENTUM : 0.0));
        job.put("steps", steps);
        job.put("seed", seed);
        job.put("eval_every", 0);
        job.put("checkpoint", Map.of("every", 0, "keep", 1));
        if (m != Method.HONEST) {
            job.put("aggregation", Map.of("rule", "median", "sampled", SAMPLED));
            Map<String, Object> byz = new LinkedHashMap<>();
            byz.put("count", BYZANTINE);
            byz.put("attack", a.name());
            byz.putAll(a.params());
            job.put("byzantine", byz);
        }
        if (m == Method.MARINA_PP) job.put("byz_vr_marina", Map.of("p", P, "alpha_clip", ALPHA_CLIP));
        if (m == Method.MARINA_PP_UNCLIPPED) job.put("byz_vr_marina", Map.of("p", P));
        try {
            return JSON.writeValueAsString(job);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A method under an attack over the seeds: test accuracy of each seed, NaN for a run the divergence guard stopped. */
    record Result(Method method, Attack attack, double[] accuracy, double[] testLoss) {
        int diverged() {
            int d = 0;
            for (double a : accuracy) if (Double.isNaN(a)) d++;
            return d;
        }

        /** Mean accuracy, a diverged run counting as chance (0.5 on Spambase's two classes). */
        double score() {
            double s = 0;
            for (double a : accuracy) s += Double.isNaN(a) ? 0.5 : a;
            return s / accuracy.length;
        }

        double std() {
            double[] v = new double[accuracy.length];
            for (int i = 0; i < v.length; i++) v[i] = Double.isNaN(accuracy[i]) ? 0.5 : accuracy[i];
            return Stats.std(v);
        }

        /** Median test loss over the seeds that finished, NaN when none did. */
        double medianLoss() {
            double[] f = java.util.Arrays.stream(testLoss).filter(Double::isFinite).sorted().toArray();
            return f.length == 0 ? Double.NaN : f.length % 2 == 1 ? f[f.length / 2] : (f[f.length / 2 - 1] + f[f.length / 2]) / 2;
        }
    }

    static Result run(Method m, Attack a, long[] seeds, int steps, Path repo) throws Exception {
        double[] acc = new double[seeds.length], loss = new double[seeds.length];
        String quiet = "dopt.train";
        Level before = LogManager.getLogger(quiet).getLevel();
        Configurator.setLevel(quiet, Level.ERROR);
        try {
            for (int i = 0; i < seeds.length; i++) {
                Job job = JobFile.parse(jobJson(m, a, seeds[i], steps), "byz-vr-marina-pp cell");
                JobPlan.check(job, repo, RANKS);
                ThreadRankTraining.Outcome o = ThreadRankTraining.train(job, RANKS, repo);
                acc[i] = o.finished() ? o.summary().testAccuracy() : Double.NaN;
                loss[i] = o.finished() ? o.summary().testLoss() : Double.NaN;
            }
        } finally {
            Configurator.setLevel(quiet, before);
        }
        return new Result(m, a, acc, loss);
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        int steps = run.quick() ? 100 : 300;
        Path repo = Path.of(System.getProperty("dopt.home", "."));
        Report report = run.report();
        report.heading("Set-up").paragraph(setUp(run.quick(), steps));
        Result honest = run(Method.HONEST, null, run.seeds(), steps, repo);
        run.progress("honest baseline: " + Report.fmt(honest.score()));
        List<Result> results = new ArrayList<>();
        for (Attack a : attacks(run.quick()))
            for (Method m : Method.values()) {
                if (m == Method.HONEST) continue;
                Result r = run(m, a, run.seeds(), steps, repo);
                results.add(r);
                run.progress(a.label() + ", " + m.label + ": " + Report.fmt(r.score()) + (r.diverged() > 0 ? ", " + r.diverged() + " diverged" : ""));
            }
        write(report, honest, results, attacks(run.quick()));
    }

    private static void write(Report report, Result honest, List<Result> results, List<Attack> attacks) throws java.io.IOException {
        report.heading("Final test accuracy (mean ± std over seeds; a diverged run counts as chance, 0.5)")
                .paragraph("Honest baseline (8 honest ranks, plain mean, every rank every step): "
                        + Report.fmt(honest.score()) + " ± " + Report.fmt(honest.std()) + ", median test loss " + Report.fmt(honest.medianLoss()));
        List<String> header = new ArrayList<>(List.of("method"));
        for (Attack a : attacks) header.add(a.label());
        List<List<Object>> rows = new ArrayList<>();
        LinePlot plot = new LinePlot("Spambase, f = 3 of 8, 3 ranks sampled a step: accuracy per method", "method (see caption)",
                "final test accuracy", false, false);
        List<Method> methods = List.of(Method.SGD, Method.MOMENTUM_SGD, Method.MARINA_PP, Method.MARINA_PP_UNCLIPPED);
        double[] x = new double[methods.size()];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        for (Method m : methods) {
            List<Object> row = new ArrayList<>(List.of(m.label));
            for (Attack a : attacks) {
                Result r = find(results, m, a);
                row.add(Report.fmt(r.score()) + " ± " + Report.fmt(r.std()) + " (loss " + Report.fmt(r.medianLoss()) + ")"
                        + (r.diverged() > 0 ? "; " + r.diverged() + " diverged" : ""));
            }
            rows.add(row);
        }
        for (Attack a : attacks) {
            double[] y = new double[methods.size()];
            for (int i = 0; i < y.length; i++) y[i] = find(results, methods.get(i), a).score();
            plot.series(a.label(), x, y, true);
        }
        double[] base = new double[x.length];
        java.util.Arrays.fill(base, honest.score());
        plot.series("honest baseline", x, base, false);
        StringBuilder legend = new StringBuilder();
        for (int i = 0; i < methods.size(); i++) legend.append(i == 0 ? "" : ", ").append(i + 1).append(" = ").append(methods.get(i).label);
        report.table("accuracy.csv", header, rows)
                .plot("accuracy.png", plot, "final test accuracy per method and attack (x: " + legend + ")");
        report.heading("Verdict").paragraph(verdict(honest, results, attacks));
    }

    static Result find(List<Result> results, Method m, Attack a) {
        for (Result r : results) if (r.method() == m && r.attack().equals(a)) return r;
        throw new IllegalStateException("no result for " + m + " under " + a);
    }

    /**
     * Byz-VR-MARINA-PP "converges" under an attack when it ends within {@link #CONVERGED_MARGIN} of
     * the honest baseline's accuracy; robust SGD "fails" when it ends at least {@link #FAILED_MARGIN}
     * below Byz-VR-MARINA-PP. The claim holds when Byz-VR-MARINA-PP converges under every attack run
     * and robust SGD fails under at least one; an attack under which robust SGD converges too is
     * named as one that does not separate them.
     */
    static String verdict(Result honest, List<Result> results, List<Attack> attacks) {
        StringBuilder why = new StringBuilder();
        boolean allConverged = true, someFailed = false;
        List<String> weak = new ArrayList<>();
        for (Attack a : attacks) {
            double marina = find(results, Method.MARINA_PP, a).score(), sgd = find(results, Method.SGD, a).score();
            boolean converged = marina >= honest.score() - CONVERGED_MARGIN, sgdFails = sgd <= marina - FAILED_MARGIN;
            allConverged &= converged;
            someFailed |= converged && sgdFails;
            if (!sgdFails) weak.add(a.label());
            why.append(String.format(Locale.ROOT, "%s: Byz-VR-MARINA-PP %s (%s), robust SGD %s (%s). ", a.label(), Report.fmt(marina),
                    converged ? "converged" : "did not converge", Report.fmt(sgd), sgdFails ? "failed" : "did not fail"));
        }
        return (allConverged && someFailed ? "**The claim held on this run.** " : "**The claim did not hold on this run.** ") + why
                + (weak.isEmpty() ? "" : "Attacks that do not separate the methods (robust SGD does not fail under them at this scale): "
                        + String.join(", ", weak) + ". ")
                + String.format(Locale.ROOT, "Margins: converged = within %s of the honest baseline's accuracy (%s); failed = at least %s "
                        + "below Byz-VR-MARINA-PP's. The claim needs Byz-VR-MARINA-PP to converge under every attack and robust SGD to "
                        + "fail under at least one.", Report.fmt(CONVERGED_MARGIN), Report.fmt(honest.score()), Report.fmt(FAILED_MARGIN));
    }

    private static String setUp(boolean quick, int steps) {
        return String.format(Locale.ROOT,
                "%sn = %d thread ranks of one process training through the engine (one job file per run, the round loop of "
                        + "`./dopt run`): logistic regression (model.hidden []) on %s, batch %d per rank, SGD lr %s, %d steps, test "
                        + "accuracy at the end. The last f = %d ranks are Byzantine (they hold a shard like the others). Partial "
                        + "participation: aggregation.sampled = %d, drawn uniformly from (seed, step); the rule is the coordinate-wise "
                        + "median of the sampled rows; a step samples a Byzantine majority with probability 16/56 ≈ 0.29. Methods: "
                        + "robust SGD and robust momentum SGD (%s) apply the median of the sampled gradients; Byz-VR-MARINA-PP "
                        + "(byz_vr_marina: p %s, alpha_clip %s, no compression) adds the median of the sampled clipped gradient "
                        + "differences to its estimate and aggregates all 8 full local gradients at step 1 and with probability p; the "
                        + "same without clipping isolates the clip. Attacks (aggregation.md): %s.",
                quick ? "Quick mode: the seeds as given, attacks ipm and gaussian only, 100 steps. " : "", RANKS, DATASET, BATCH, Report.fmt(LR), steps,
                BYZANTINE, SAMPLED, Report.fmt(MOMENTUM), Report.fmt(P), Report.fmt(ALPHA_CLIP),
                "ipm eps 10 (-10 × the mean of the honest rows), gaussian (mu 0, sigma 10), sign_flip, label_flip (an attack on data)");
    }
}
