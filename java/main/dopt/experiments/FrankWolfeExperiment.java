package dopt.experiments;

import dopt.data.DataSets;
import dopt.data.Dataset;
import dopt.fw.BinaryLogisticRegression;
import dopt.fw.FrankWolfe;
import dopt.fw.FrankWolfeGap;
import dopt.fw.FrankWolfeMethod;
import dopt.fw.L1Ball;
import dopt.fw.SagaSarahFrankWolfe;
import dopt.fw.SarahFrankWolfe;
import dopt.fw.SpiderFrankWolfe;
import dopt.fw.StochasticFrankWolfe;
import dopt.fw.Svrf;
import dopt.state.StateTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic Frank–Wolfe on ℓ1-constrained logistic regression (methods.md B4; Beznosikov, Dobre
 * and Gidel 2024, Sec. 5, and Nazykov et al. 2024, Sec. 5, run the same problem on LibSVM sets):
 * deterministic FW, SFW, SVRF (Hazan and Luo's schedule, and SVRF-const with Sarah-FW's epochs),
 * SPIDER-FW, Sarah-FW and Saga-Sarah-FW from x₀ = 0 on the training split of each data set; the
 * constant-batch methods use b = ⌈√n⌉ (the SARAH/SPIDER choice) and, where they have epochs,
 * m = ⌈n/b⌉ iterations per epoch; Saga-Sarah-FW ZeroSARAH's λ = b/(2n). The Frank–Wolfe gap, relative to its value at x₀, is traced with the full gradient
 * (not counted) about every n/20 component gradients, and the table gives the epochs (component
 * gradients / n) each method needed to first reach each target gap.
 */
public final class FrankWolfeExperiment implements Experiment {

    /** A data set, the ℓ1 radius (chosen so the constraint is active; the report checks it), and the budget in epochs. */
    record Setup(String dataset, double radius, int epochs) { }

    static final List<Setup> FULL = List.of(new Setup("spambase-standardized", 5, 400), new Setup("heart-scale", 5, 400));
    static final List<Setup> QUICK = List.of(new Setup("spambase-standardized", 5, 1), new Setup("heart-scale", 5, 4));
    static final double[] TARGETS = {1e-1, 1e-2, 1e-3};
    static final String[] METHODS = {"FW", "SFW", "SVRF", "SVRF-const", "SPIDER-FW", "Sarah-FW", "Saga-Sarah-FW"};
    static final String[] BASELINES = {"SFW", "SVRF", "SPIDER-FW"};
    static final String[] PROPOSED = {"Sarah-FW", "Saga-Sarah-FW"};
    private static final int TRACES_PER_EPOCH = 20;
    private static final int CSV_POINTS = 400;

    @Override public String name() { return "frank-wolfe"; }

    @Override
    public String claim() {
        return "Sarah-FW and Saga-Sarah-FW need fewer component-gradient evaluations than SFW, SVRF and SPIDER-FW to reach a given "
                + "Frank-Wolfe gap on l1-constrained logistic regression (Beznosikov, Dobre and Gidel 2024, 'Sarah Frank-Wolfe'; "
                + "Nazykov et al. 2024, 'Stochastic Frank-Wolfe: unified analysis and zoo of special cases')";
    }

    /** One run: the relative gap after each traced number of epochs, and where it ended. */
    record Trace(double[] epochs, double[] relativeGap, double finalLoss, double l1OverRadius, double radiusTimesGradInf, double finalGap) {
        /** The first traced epoch count at which the relative gap is at most {@code target}; +∞ if never. */
        double epochsTo(double target) {
            for (int k = 0; k < epochs.length; k++) if (relativeGap[k] <= target) return epochs[k];
            return Double.POSITIVE_INFINITY;
        }

        /** The relative gap of the last trace point at or before {@code e} epochs. */
        double gapAt(double e) {
            double g = relativeGap[0];
            for (int k = 0; k < epochs.length && epochs[k] <= e; k++) g = relativeGap[k];
            return g;
        }
    }

    static FrankWolfeMethod method(String name, BinaryLogisticRegression f, L1Ball ball, long seed) {
        int n = f.n();
        int b = (int) Math.ceil(Math.sqrt(n));
        int m = (n + b - 1) / b;
        return switch (name) {
            case "FW" -> new FrankWolfe(f, ball);
            case "SFW" -> new StochasticFrankWolfe(f, ball, b, seed);
            case "SVRF" -> Svrf.hazanLuo(f, ball, seed);
            case "SVRF-const" -> Svrf.constant(f, ball, b, m, seed);
            case "SPIDER-FW" -> new SpiderFrankWolfe(f, ball, seed);
            case "Sarah-FW" -> new SarahFrankWolfe(f, ball, b, m, seed);
            case "Saga-Sarah-FW" -> new SagaSarahFrankWolfe(f, ball, b, seed);
            default -> throw new IllegalArgumentException("unknown method " + name);
        };
    }

    static Trace run(FrankWolfeMethod method, BinaryLogisticRegression f, L1Ball ball, int epochs) {
        FrankWolfeGap gap = new FrankWolfeGap(f, ball);
        method.init(new float[f.dim()], new StateTree(), "fw");
        int n = f.n();
        double g0 = gap.at(method.x());
        List<double[]> points = new ArrayList<>();
        points.add(new double[] {0, 1});
        long budget = (long) epochs * n;
        double every = (double) n / TRACES_PER_EPOCH, next = every;
        while (method.gradientEvaluations() < budget) {
            method.step();
            if (method.gradientEvaluations() >= next || method.gradientEvaluations() >= budget) {
                double rel = gap.at(method.x()) / g0;
                if (!Double.isFinite(rel)) throw new IllegalStateException(method.name() + " produced a non-finite gap at iteration " + method.iteration());
                points.add(new double[] {(double) method.gradientEvaluations() / n, rel});
                while (next <= method.gradientEvaluations()) next += every;
            }
        }
        double[] e = new double[points.size()], g = new double[points.size()];
        for (int k = 0; k < e.length; k++) { e[k] = points.get(k)[0]; g[k] = points.get(k)[1]; }
        double finalGap = gap.at(method.x());
        double l1 = 0;
        for (float v : method.x()) l1 += Math.abs(v);
        return new Trace(e, g, f.loss(method.x()), l1 / ball.radius(), ball.radius() * gap.lastGradientMaxNorm(), finalGap);
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        Report report = run.report();
        List<Setup> setups = run.quick() ? QUICK : FULL;
        long[] seeds = run.seeds();
        report.heading("Setup").paragraph(
                "Problem: min over the l1 ball {‖x‖₁ ≤ r} of (1/n) sum_i log(1 + exp(-b_i a_i^T x)), b_i = +-1, no bias, x_0 = 0, "
                + "on the training split (80%) of each data set. Radius r = 5 on both sets, chosen so that the constraint is active: "
                + "the last table checks it at the end of each run (an interior minimiser would have grad f = 0, so r·‖∇f(x)‖∞ would "
                + "shrink with the FW gap; active means ‖x‖₁ = r while r·‖∇f(x)‖∞ stays far above the gap). Step eta_t = 2/(t+2) for all methods (SPIDER-FW's own schedule is the same). "
                + "Batch b = ceil(sqrt(n)) for every stochastic method, epoch length m = ceil(n/b) iterations for SVRF and Sarah-FW "
                + "(full gradient at each epoch start), SPIDER-FW with doubling epochs and batch = epoch length (Yurtsever et al. 2019), "
                + "Saga-Sarah-FW with lambda = b/(2n) and no full gradient ever. Cost is counted in component gradients; one epoch = n. "
                + "The FW gap g(x) = max_s <grad f(x), x - s> is computed with the full gradient (not counted) about every n/"
                + TRACES_PER_EPOCH + " evaluations and reported relative to g(x_0) = r·‖∇f(0)‖∞.");
        List<List<Object>> reachRows = new ArrayList<>(), endRows = new ArrayList<>(), verdictRows = new ArrayList<>();
        int[] winsVsPaper = new int[PROPOSED.length], winsVsConstant = new int[PROPOSED.length];
        int cases = 0;
        for (Setup setup : setups) {
            Dataset train = DataSets.load(setup.dataset(), Path.of(""))[0];
            BinaryLogisticRegression f = new BinaryLogisticRegression(train);
            L1Ball ball = new L1Ball(f.dim(), setup.radius());
            int b = (int) Math.ceil(Math.sqrt(f.n()));
            report.heading(setup.dataset() + " (n = " + f.n() + ", d = " + f.dim() + ", r = " + setup.radius() + ", b = " + b
                    + ", m = " + ((f.n() + b - 1) / b) + ", budget " + setup.epochs() + " epochs)");
            Trace[][] traces = new Trace[METHODS.length][seeds.length];
            for (int mi = 0; mi < METHODS.length; mi++)
                for (int si = 0; si < seeds.length; si++) {
                    long start = System.nanoTime();
                    traces[mi][si] = run(method(METHODS[mi], f, ball, seeds[si]), f, ball, setup.epochs());
                    run.progress(setup.dataset() + " " + METHODS[mi] + " seed " + seeds[si] + ": final relative gap "
                            + Report.fmt(traces[mi][si].relativeGap()[traces[mi][si].relativeGap().length - 1]) + " ("
                            + Report.fmt((System.nanoTime() - start) / 1e9) + " s)");
                }
            double[][] medianEpochs = new double[METHODS.length][TARGETS.length];
            for (int mi = 0; mi < METHODS.length; mi++) {
                List<Object> row = new ArrayList<>(List.of(setup.dataset(), METHODS[mi]));
                for (int ti = 0; ti < TARGETS.length; ti++) {
                    double[] e = new double[seeds.length];
                    int reached = 0;
                    for (int si = 0; si < seeds.length; si++) {
                        e[si] = traces[mi][si].epochsTo(TARGETS[ti]);
                        if (Double.isFinite(e[si])) reached++;
                    }
                    medianEpochs[mi][ti] = Stats.median(e);
                    row.add(reached == 0 ? "not reached" : Report.fmt(medianEpochs[mi][ti]) + " [" + Report.fmt(min(e)) + ", "
                            + Report.fmt(max(e)) + "]" + (reached < seeds.length ? " (" + reached + "/" + seeds.length + " seeds)" : ""));
                }
                reachRows.add(row);
                double[] finalRel = new double[seeds.length], loss = new double[seeds.length], l1 = new double[seeds.length],
                        rg = new double[seeds.length], gap = new double[seeds.length];
                for (int si = 0; si < seeds.length; si++) {
                    Trace t = traces[mi][si];
                    finalRel[si] = t.relativeGap()[t.relativeGap().length - 1];
                    loss[si] = t.finalLoss();
                    l1[si] = t.l1OverRadius();
                    rg[si] = t.radiusTimesGradInf();
                    gap[si] = t.finalGap();
                }
                boolean active = Stats.median(l1) > 0.99 && Stats.median(rg) > 10 * Stats.median(gap);
                endRows.add(List.of(setup.dataset(), METHODS[mi], Stats.median(finalRel), Stats.median(loss), Stats.median(l1),
                        Stats.median(rg), Stats.median(gap), active ? "yes" : "not shown"));
            }
            for (int ti = 0; ti < TARGETS.length; ti++) {
                double bestBaseline = Double.POSITIVE_INFINITY;
                String bestName = "none";
                for (String base : BASELINES) {
                    double e = medianEpochs[indexOf(base)][ti];
                    if (e < bestBaseline) { bestBaseline = e; bestName = base; }
                }
                double constant = medianEpochs[indexOf("SVRF-const")][ti];
                List<Object> row = new ArrayList<>(List.of(setup.dataset(), Report.fmt(TARGETS[ti]),
                        Double.isFinite(bestBaseline) ? bestName + " " + Report.fmt(bestBaseline) : "none reached"));
                cases++;
                for (int pi = 0; pi < PROPOSED.length; pi++) {
                    double e = medianEpochs[indexOf(PROPOSED[pi])][ti];
                    row.add(verdict(e, bestBaseline));
                    if (e < bestBaseline) winsVsPaper[pi]++;
                }
                row.add(Double.isFinite(constant) ? Report.fmt(constant) : "not reached");
                for (int pi = 0; pi < PROPOSED.length; pi++) {
                    double e = medianEpochs[indexOf(PROPOSED[pi])][ti];
                    row.add(verdict(e, constant));
                    if (e < constant) winsVsConstant[pi]++;
                }
                verdictRows.add(row);
            }
            LinePlot plot = new LinePlot("FW gap, " + setup.dataset() + " (median of " + seeds.length + " seeds)", "gradient evaluations / n (epochs)",
                    "FW gap / FW gap at x0", false, true);
            int points = CSV_POINTS;
            for (int mi = 0; mi < METHODS.length; mi++) {
                double[] xs = new double[points + 1], ys = new double[points + 1];
                for (int k = 0; k <= points; k++) {
                    xs[k] = (double) setup.epochs() * k / points;
                    double[] g = new double[seeds.length];
                    for (int si = 0; si < seeds.length; si++) g[si] = traces[mi][si].gapAt(xs[k]);
                    ys[k] = Stats.median(g);
                }
                plot.series(METHODS[mi], xs, ys);
            }
            String png = "gap-" + setup.dataset() + ".png";
            report.plot(png, plot, "Relative FW gap vs gradient evaluations on " + setup.dataset()
                    + " (log y; the median over seeds of each run's latest traced gap)");
            writeTraces(run, setup, traces, seeds);
        }
        report.paragraph("traces-DATASET.csv holds each run's relative gap on a grid of " + (CSV_POINTS + 1)
                + " epoch counts (the latest traced value at or before each), from which the plots are drawn.");
        List<String> targetCols = new ArrayList<>(List.of("data set", "method"));
        for (double t : TARGETS) targetCols.add("epochs to gap " + Report.fmt(t));
        report.heading("Gradient evaluations to reach a relative FW gap").paragraph(
                "Median over seeds [min, max] of the epochs (component gradients / n) at which the traced relative FW gap first fell to "
                + "the target; 'not reached' within the budget.").table("epochs-to-gap.csv", targetCols, reachRows);
        report.heading("Does the claim hold?").paragraph(
                "For each target: the best of the paper's baselines (SFW, SVRF with Hazan and Luo's schedule, SPIDER-FW) by median epochs, "
                + "and whether Sarah-FW / Saga-Sarah-FW reached the target in fewer median epochs; then the same against SVRF-const, "
                + "the SVRG-type estimator on Sarah-FW's own epochs and batch.")
                .table("verdict.csv", List.of("data set", "target", "best baseline (epochs)", "Sarah-FW fewer?", "Saga-Sarah-FW fewer?",
                        "SVRF-const (epochs)", "Sarah-FW fewer than SVRF-const?", "Saga-Sarah-FW fewer than SVRF-const?"), verdictRows);
        StringBuilder summary = new StringBuilder("In numbers, over the " + cases + " (data set, target) cases: ");
        for (int pi = 0; pi < PROPOSED.length; pi++)
            summary.append(PROPOSED[pi]).append(" needed fewer median epochs than every paper baseline in ").append(winsVsPaper[pi])
                    .append(" and fewer than SVRF-const in ").append(winsVsConstant[pi]).append(pi == 0 ? "; " : ".");
        report.paragraph(summary.toString());
        report.heading("Where the runs ended").paragraph(
                "Medians over seeds at the end of the budget. 'Constraint active' = ‖x‖₁/r > 0.99 and r·‖∇f(x)‖∞ > 10 × FW gap: the "
                + "iterate sits on the sphere while the gradient stays far from zero, which an interior minimiser could not do.")
                .table("end.csv", List.of("data set", "method", "final relative gap", "loss", "‖x‖₁ / r", "r·‖∇f‖∞", "FW gap",
                        "constraint active"), endRows);
    }

    /** Each run's latest traced gap on a grid of {@link #CSV_POINTS} + 1 epoch counts (the full traces would be megabytes). */
    private static void writeTraces(ExperimentRun run, Setup setup, Trace[][] traces, long[] seeds) throws java.io.IOException {
        StringBuilder csv = new StringBuilder("method,seed,epochs,relative_gap\n");
        for (int mi = 0; mi < METHODS.length; mi++)
            for (int si = 0; si < seeds.length; si++)
                for (int k = 0; k <= CSV_POINTS; k++) {
                    double e = (double) setup.epochs() * k / CSV_POINTS;
                    csv.append(METHODS[mi]).append(',').append(seeds[si]).append(',').append((float) e).append(',')
                            .append((float) traces[mi][si].gapAt(e)).append('\n');
                }
        java.nio.file.Files.writeString(run.outputDir().resolve("traces-" + setup.dataset() + ".csv"), csv.toString());
    }

    /** Whether {@code e} epochs beat {@code baseline}, with the numbers. */
    static String verdict(double e, double baseline) {
        if (!Double.isFinite(e)) return Double.isFinite(baseline) ? "no (not reached)" : "neither reached";
        if (!Double.isFinite(baseline)) return "yes (" + Report.fmt(e) + "; baseline not reached)";
        return e < baseline ? "yes (" + Report.fmt(e) + ", " + Report.fmt(baseline / e) + "x fewer)" : "no (" + Report.fmt(e) + ")";
    }

    private static int indexOf(String method) {
        for (int i = 0; i < METHODS.length; i++) if (METHODS[i].equals(method)) return i;
        throw new IllegalArgumentException(method);
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double d : v) m = Math.min(m, d);
        return m;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double d : v) m = Math.max(m, d);
        return m;
    }
}
