package dopt.experiments;

import dopt.io.TraceData;
import dopt.job.Job;
import dopt.job.JobFile;
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
 * MeritFed against FedAvg and local-only training on one target client ([FED]; Tupitsa et al. 2024,
 * "Federated learning can find friends that are advantageous"): 16 clients on 4 thread ranks
 * ({@link ThreadRankTraining}, the engine's round loop), the MNIST slice cut by
 * {@code data.sharding: label_groups}: the target (client 0) and 3 others on labels 0–4, 12
 * clients on labels 5–9. Every run is a job built as JSON and read by {@link JobFile#parse}, as a
 * user would write it; only {@code federated.aggregation} differs between the three methods. The
 * target's test accuracy is on the test digits 0–4 ({@code data.test_labels}); MeritFed's weights per
 * round come from the trace's {@code /federated/weights}.
 */
public final class MeritFedExperiment implements Experiment {
    static final int RANKS = 4, CLIENTS = 16, RELATED = 4, BATCH = 32, LOCAL_STEPS = 5, MD_STEPS = 10;
    static final double CLIENT_LR = 0.05, MD_LR = 5.0;
    /** "Near zero": the unrelated clients' total weight after the last round under this (uniform gives them 0.75). */
    static final double NEAR_ZERO_MASS = 0.05;
    static final List<String> METHODS = List.of("meritfed", "fedavg", "local");

    @Override public String name() { return "meritfed"; }

    @Override
    public String claim() {
        return "MeritFed's aggregation weights, learned by mirror descent on the target client's loss, beat FedAvg and local-only "
                + "training on the target when some clients have another data distribution, and give those clients near-zero weight "
                + "(Tupitsa, Borodich, Gasnikov, Rogozin, Gorbunov 2024, seed abstract)";
    }

    /** The job of one method and seed, as a user would write it. */
    static String jobJson(String method, long seed, int rounds, List<Integer> hidden) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("name", "meritfed-" + method);
        job.put("model", Map.of("hidden", hidden));
        job.put("data", Map.of("dataset", "mnist-embedded", "sharding", "label_groups", "batch_size", BATCH,
                "label_groups", List.of(Map.of("labels", List.of(0, 1, 2, 3, 4), "shards", RELATED),
                        Map.of("labels", List.of(5, 6, 7, 8, 9), "shards", CLIENTS - RELATED)),
                "test_labels", List.of(0, 1, 2, 3, 4)));
        job.put("optimizer", Map.of("name", "sgd", "lr", CLIENT_LR, "momentum", 0.0));
        job.put("steps", rounds);
        job.put("seed", seed);
        job.put("eval_every", Math.max(1, rounds / 10));
        job.put("checkpoint", Map.of("every", 0, "keep", 1));
        Map<String, Object> fed = new LinkedHashMap<>();
        fed.put("clients", CLIENTS);
        fed.put("local_steps", LOCAL_STEPS);
        fed.put("server_optimizer", "sgd");
        fed.put("server_lr", 1.0);
        fed.put("aggregation", method);
        if (!method.equals("fedavg")) fed.put("target_client", 0);
        if (method.equals("meritfed")) fed.put("meritfed", Map.of("md_steps", MD_STEPS, "md_lr", MD_LR, "validation_batches", 1));
        job.put("federated", fed);
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(job);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One method over the seeds: final test accuracies, the accuracy curves, and (MeritFed) the weights per round. */
    record Result(String method, double[] accuracy, List<TraceData.Evaluations> curves, List<float[][]> weights) { }

    @Override
    public void run(ExperimentRun run) throws Exception {
        boolean quick = run.quick();
        int rounds = quick ? 30 : 100;
        List<Integer> hidden = quick ? List.of(32) : List.of(64);
        Path repo = Path.of(System.getProperty("dopt.home", "."));
        Report report = run.report();
        report.heading("Set-up").paragraph(String.format(Locale.ROOT, """
            MNIST slice (6 000 training digits), %d clients on %d thread ranks through the engine's round loop: \
            `data.sharding: label_groups` gives the target (client 0) and clients 1-%d the digits 0-4 (%d equal shards), \
            clients %d-%d the digits 5-9 (%d shards). MLP %s, every client %d local SGD steps (lr %s, batch %d) per round from \
            the global model, server SGD lr 1, every client every round, %d rounds. MeritFed: %d mirror-descent steps a round, \
            md_lr %s, one validation batch of the target's own training data per step (the authors' setting without a \
            held-out split), weights carried over rounds. Local-only: only the target trains (`aggregation: local`). \
            Accuracy: the target's distribution, the test digits 0-4 (`data.test_labels`). Verdict margins: "near zero" is a \
            total weight under %s on the %d unrelated clients after the last round (uniform: 0.75); "beats" is a higher mean \
            accuracy over the seeds.""", CLIENTS, RANKS, RELATED - 1, RELATED, RELATED, CLIENTS - 1, CLIENTS - RELATED, hidden,
                LOCAL_STEPS, Report.fmt(CLIENT_LR), BATCH, rounds, MD_STEPS, Report.fmt(MD_LR), Report.fmt(NEAR_ZERO_MASS),
                CLIENTS - RELATED));
        org.apache.logging.log4j.Logger quiet = LogManager.getLogger("dopt");
        Level before = quiet.getLevel();
        Configurator.setLevel("dopt", Level.WARN);
        Map<String, Result> results = new LinkedHashMap<>();
        try {
            for (String method : METHODS) {
                double[] acc = new double[run.seeds().length];
                List<TraceData.Evaluations> curves = new ArrayList<>();
                List<float[][]> weights = new ArrayList<>();
                for (int i = 0; i < acc.length; i++) {
                    Job job = JobFile.parse(jobJson(method, run.seeds()[i], rounds, hidden), "meritfed-" + method);
                    ThreadRankTraining.Outcome o = ThreadRankTraining.train(job, RANKS, repo);
                    acc[i] = o.finished() ? o.summary().testAccuracy() : Double.NaN;
                    if (o.finished()) {
                        curves.add(o.trace().evaluations());
                        if (o.trace().tables().containsKey("federated/weights"))
                            weights.add(o.trace().tables().get("federated/weights").values());
                    }
                    run.progress(String.format(Locale.ROOT, "%s, seed %d: target test accuracy %s%s", method, run.seeds()[i], Report.fmt(acc[i]),
                            o.finished() ? "" : " (diverged: " + o.diverged() + ")"));
                }
                results.put(method, new Result(method, acc, curves, weights));
            }
        } finally {
            Configurator.setLevel("dopt", before);
        }
        write(report, results, rounds, run.seeds());
    }

    /** The unrelated clients' total weight after round r (1-based) of a weights table. */
    static double unrelatedMass(float[][] w, int round) {
        double m = 0;
        for (int c = RELATED; c < CLIENTS; c++) m += w[round - 1][c];
        return m;
    }

    private static void write(Report report, Map<String, Result> results, int rounds, long[] seeds) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        for (Result r : results.values())
            rows.add(List.of(r.method(), Report.fmt(Stats.mean(r.accuracy())), Report.fmt(Stats.std(r.accuracy())),
                    java.util.Arrays.toString(java.util.Arrays.stream(r.accuracy()).mapToObj(Report::fmt).toArray())));
        report.heading("Target's test accuracy (digits 0-4)").table("accuracy.csv",
                List.of("method", "mean accuracy", "std", "per seed"), rows);

        LinePlot curve = new LinePlot("Target's test accuracy per round (seed " + seeds[0] + ")", "round", "accuracy (digits 0-4)", false, false);
        for (Result r : results.values()) {
            if (r.curves().isEmpty()) continue;
            TraceData.Evaluations ev = r.curves().get(0);
            double[] x = new double[ev.size()];
            for (int i = 0; i < x.length; i++) x[i] = ev.steps()[i];
            curve.series(r.method(), x, ev.accuracy(), true);
        }
        report.plot("accuracy.png", curve, "Held-out accuracy on the target's distribution, evaluated every " + Math.max(1, rounds / 10) + " rounds.");

        Result merit = results.get("meritfed");
        double[] mass = new double[merit.weights().size()];
        List<List<Object>> wrows = new ArrayList<>();
        for (int i = 0; i < mass.length; i++) {
            float[][] w = merit.weights().get(i);
            mass[i] = unrelatedMass(w, rounds);
            double related = 0;
            for (int c = 1; c < RELATED; c++) related += w[rounds - 1][c];
            wrows.add(List.of(seeds[i], Report.fmt(w[rounds - 1][0]), Report.fmt(related), Report.fmt(mass[i])));
        }
        report.heading("MeritFed's weights after the last round").table("weights.csv",
                List.of("seed", "target (client 0)", "clients 1-3 (digits 0-4), total", "clients 4-15 (digits 5-9), total"), wrows);
        if (!merit.weights().isEmpty()) {
            float[][] w = merit.weights().get(0);
            double[] x = new double[rounds], target = new double[rounds], related = new double[rounds], unrelated = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                x[r] = r + 1;
                target[r] = w[r][0];
                for (int c = 1; c < RELATED; c++) related[r] += w[r][c];
                unrelated[r] = unrelatedMass(w, r + 1);
            }
            LinePlot plot = new LinePlot("MeritFed's weights per round (seed " + seeds[0] + ")", "round", "weight (group total)", false, false)
                    .series("target (client 0)", x, target).series("clients 1-3, digits 0-4 (total)", x, related)
                    .series("clients 4-15, digits 5-9 (total)", x, unrelated);
            report.plot("weights.png", plot, "Weights on the simplex after each round, summed per group; uniform would be 1/16, 3/16 and 12/16.");
        }

        double m = Stats.mean(results.get("meritfed").accuracy()), f = Stats.mean(results.get("fedavg").accuracy()),
                l = Stats.mean(results.get("local").accuracy());
        double maxMass = java.util.Arrays.stream(mass).max().orElse(Double.NaN);
        boolean beats = m > f && m > l, nearZero = maxMass < NEAR_ZERO_MASS;
        report.heading("Verdict").paragraph(String.format(Locale.ROOT, """
            **MeritFed beats FedAvg and local-only on the target: %s.** Mean accuracy on digits 0-4: MeritFed %s, FedAvg %s, \
            local-only %s (%d seed(s)).

            **Unrelated clients get near-zero weight: %s.** Their total weight after round %d: at most %s over the seeds \
            (margin %s; uniform 0.75).""", beats ? "held" : "did not hold", Report.fmt(m), Report.fmt(f), Report.fmt(l), seeds.length,
                nearZero ? "held" : "did not hold", rounds, Report.fmt(maxMass), Report.fmt(NEAR_ZERO_MASS)));
    }
}
