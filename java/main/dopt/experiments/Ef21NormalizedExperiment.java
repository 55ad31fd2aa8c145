package dopt.experiments;

import dopt.compress.Compressor;
import dopt.compress.TopK;
import dopt.data.DataSets;
import dopt.data.Dataset;
import dopt.experiments.clients.ClientProblem;
import dopt.experiments.clients.EfMethod;
import dopt.experiments.clients.ErrorFeedbackGd;
import dopt.experiments.clients.ModelOnClients;
import dopt.experiments.clients.SeparableQuartic;
import dopt.nn.Cnn;
import dopt.nn.LogisticRegression;
import dopt.random.Rng;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * methods.md C1: normalized EF21 (‖EF21‖, x ← x − γ g/‖g‖) against EF21 and EF14 with top-k, on
 * the three kinds of problem of Khirirat, Sadiev, Riabinin, Gorbunov and Richtárik 2024 ("Error
 * Feedback under (L0,L1)-Smoothness: Normalization and Momentum", arXiv:2410.16871, Section 6):
 * a polynomial (our synthetic {@link SeparableQuartic}), logistic regression with the non-convex
 * regulariser on a real data set (Spambase), and a small residual CNN (Fashion-MNIST, stochastic
 * gradients). Clients are simulated in one process, as in the paper. For every problem each
 * method runs over a log grid of constant step sizes and over the seeds; the report gives the
 * best final loss, the step that reaches it, the largest step that does not diverge, plots of
 * final loss against step size and of the loss curves at each method's best step, and says per
 * problem whether the claim held.
 */
public final class Ef21NormalizedExperiment implements Experiment {

    /** Clients for the polynomial and logistic regression (the brief's default). */
    static final int CLIENTS = 10;

    private static final EfMethod[] METHODS = {EfMethod.EF14, EfMethod.EF21, EfMethod.EF21_NORMALIZED};

    @Override public String name() { return "ef21-normalized"; }

    @Override
    public String claim() {
        return "normalized EF21 (x <- x - gamma g/||g||) tolerates larger step sizes than EF21 and beats it on polynomial "
                + "minimization, logistic regression and a small CNN/ResNet (Khirirat, Sadiev, Riabinin, Gorbunov, Richtarik 2024, "
                + "\"Error Feedback under (L0,L1)-Smoothness: Normalization and Momentum\", arXiv:2410.16871)";
    }

    /** Builds a fresh problem instance for one run from its seed. */
    interface ProblemFactory {
        ClientProblem build(long seed) throws Exception;
    }

    /** What the reported loss is measured from: 0, the exact f*, or f_ref from a long run of uncompressed gradient descent. */
    enum Offset { NONE, EXACT, REFERENCE }

    /**
     * One problem of the experiment: its compressor, step grid, rounds, what the loss is reported
     * relative to, and how many rounds the plotted curves average over ({@code smooth}, for
     * mini-batch losses).
     */
    record Setup(String key, String title, ProblemFactory factory, String compressorName, Supplier<Compressor> compressor,
                 double[] gammas, int rounds, Offset offset, int smooth) {
        String lossName() {
            return switch (offset) {
                case NONE -> "loss";
                case EXACT -> "f - f*";
                case REFERENCE -> "f - f_ref";
            };
        }
    }

    /** f_ref: uncompressed gradient descent (EF21 with the identity compressor) at a step every method's sweep shows stable. */
    static final double REFERENCE_STEP = 1.0;
    static final int REFERENCE_ROUNDS = 5000;

    /** {@code count} steps from 10^{fromExp} to 10^{toExp}, evenly spaced in log scale. */
    static double[] logGrid(double fromExp, double toExp, int count) {
        double[] g = new double[count];
        for (int i = 0; i < count; i++) g[i] = Math.pow(10, fromExp + (toExp - fromExp) * i / Math.max(1, count - 1));
        return g;
    }

    static List<Setup> setups(boolean quick) throws Exception {
        List<Setup> s = new ArrayList<>();
        // the polynomial, started near (spread 3) and far (spread 10) from its minimiser: 100 coordinates, top-5 %
        int qd = quick ? 20 : 100;
        for (double spread : new double[] {3, 10})
            s.add(new Setup(spread == 3 ? "polynomial" : "polynomial-far",
                    "Polynomial (synthetic separable quartic), x0 ~ N(0, " + (int) spread + "^2)",
                    seed -> new SeparableQuartic(qd, CLIENTS, spread, seed), "top-k 5%", () -> new TopK(0.05),
                    quick ? logGrid(-3, -1, 3) : logGrid(-3.5, 0, 8), quick ? 40 : 2000, Offset.EXACT, 1));

        // logistic regression with the EF21 papers' non-convex regulariser, Spambase over 10 clients, full local gradients
        Dataset[] spam = DataSets.load("spambase-standardized", Path.of("."));
        int perClient = spam[0].n() / CLIENTS;
        s.add(new Setup("logistic", "Logistic regression on Spambase (standardized, non-convex regulariser lambda = 0.1)",
                seed -> {
                    LogisticRegression m = new LogisticRegression(spam[0].dim(), perClient);
                    m.init(new Rng(seed));
                    return new ModelOnClients("logistic regression, spambase-standardized", m, spam[0], spam[1], CLIENTS, 0, 0.1, seed);
                }, "top-k 5%", () -> new TopK(0.05),
                quick ? logGrid(-2, 0, 3) : logGrid(-2.5, 1, 8), quick ? 20 : 1000, Offset.REFERENCE, 1));

        // a small ResNet on a Fashion-MNIST subset, mini-batch gradients
        Dataset[] fm = DataSets.load("fashion-mnist", Path.of("."));
        int nTrain = quick ? 160 : 2000, nTest = quick ? 100 : 1000, clients = quick ? 2 : 4, batch = quick ? 8 : 16;
        Dataset train = head(fm[0], nTrain), test = head(fm[1], nTest);
        Cnn.Config cfg = Cnn.Config.resnet8(1, 28, 28, 10).withStages(quick ? new int[] {4, 8} : new int[] {8, 16},
                new int[] {1, 1});
        s.add(new Setup("cnn", "Small ResNet on Fashion-MNIST (" + nTrain + " training images, " + clients + " clients, batch " + batch + ")",
                seed -> {
                    Cnn m = new Cnn(cfg, batch);
                    m.init(new Rng(seed));
                    return new ModelOnClients("ResNet widths " + Arrays.toString(cfg.widths()) + " (GroupNorm), fashion-mnist first " + nTrain,
                            m, train, test, clients, batch, 0, seed);
                }, "top-k 5%", () -> new TopK(0.05),
                quick ? logGrid(-1.5, -0.5, 2) : logGrid(-1.5, 1, 6), quick ? 4 : 100, Offset.NONE, quick ? 1 : 10));
        return s;
    }

    /** The first n rows of a data set (Fashion-MNIST's files are already in random order). */
    static Dataset head(Dataset d, int n) {
        if (n > d.n()) throw new IllegalArgumentException(d.name() + " has only " + d.n() + " rows, asked for " + n);
        return new Dataset(d.name() + "-first" + n, Arrays.copyOf(d.x(), n * d.dim()), Arrays.copyOf(d.y(), n), n, d.dim(), d.classes());
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        Report report = run.report();
        List<Setup> setups = setups(run.quick());
        report.heading("Setup").paragraph(String.join("\n", List.of(
                "- Clients simulated in one process (as in the paper): " + CLIENTS + " for the polynomial and logistic regression, fewer for the CNN (below).",
                "- Methods: EF14 (x <- x - gamma * mean C(e_i + g_i), e_i keeps the rest), EF21 (x <- x - gamma g, g = mean g_i, g_i <- g_i + C(grad f_i - g_i)),",
                "  ‖EF21‖ (x <- x - gamma g/||g||). EF21's g_i start at the clients' gradients at x0 (one dense round, counted in the bytes).",
                "- Constant step size gamma, swept on a log grid per problem, the same grid for every method; seeds " + Arrays.toString(run.seeds()) + ".",
                "  (The paper's ‖EF21‖ theory uses the constant step gamma_0/sqrt(K+1) for a run of K rounds, i.e. also a constant step.)",
                "- A run *diverged* when x or the loss stopped being finite, or its final loss was no lower than f(x0).",
                "  *Best step*: the lowest mean final loss over seeds. *Largest stable step*: the largest step with no diverged seed.",
                "- The step size means different things: for ‖EF21‖ gamma is the length of every step, for EF21 and EF14 it multiplies the",
                "  gradient estimate, so their steps are gamma * ||g|| long. Where gradients are large (far from the optimum) EF21's steps are",
                "  longer than ‖EF21‖'s at the same gamma, where they are small, shorter; each section gives ‖grad f(x0)‖.",
                "- Final loss: f on all clients' data at the last iterate. For the polynomial f - f* (f* exact); for logistic regression",
                "  f - f_ref, f_ref the loss after " + REFERENCE_ROUNDS + " rounds of uncompressed gradient descent at step " + Report.fmt(REFERENCE_STEP)
                        + " (differences below ~1e-8 are at float32 resolution and may come out negative); for the CNN the training loss itself.")));
        List<List<Object>> summary = new ArrayList<>();
        var cpu = ManagementFactory.getThreadMXBean();
        for (Setup s : setups) {
            long t0 = System.nanoTime(), c0 = cpu.getCurrentThreadCpuTime();
            StepSizeSweep sweep = sweep(s, run);
            double wall = (System.nanoTime() - t0) / 1e9, cpuS = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
            summary.add(section(report, s, sweep, wall, cpuS));
        }
        report.heading("Summary").table("summary.csv",
                List.of("problem", "larger stable step?", "lower best loss than EF21?", "claim", "stable step ‖EF21‖ / EF21", "best loss ‖EF21‖ / EF21"),
                summary);
    }

    private static StepSizeSweep sweep(Setup s, ExperimentRun run) throws Exception {
        long[] seeds = run.seeds();
        double[] start = new double[seeds.length], offset = new double[seeds.length], gradNorm = new double[seeds.length];
        for (int k = 0; k < seeds.length; k++) {
            ClientProblem p = s.factory().build(seeds[k]);
            float[] x0 = new float[p.dim()];
            p.start(x0);
            start[k] = p.loss(x0);
            gradNorm[k] = meanGradientNorm(p, x0);
            offset[k] = switch (s.offset()) {
                case NONE -> 0;
                case EXACT -> p.optimum();
                case REFERENCE -> ErrorFeedbackGd.run(s.factory().build(seeds[k]), EfMethod.EF21, () -> new TopK(1.0), REFERENCE_STEP,
                        run.quick() ? 200 : REFERENCE_ROUNDS, seeds[k]).finalLoss();
            };
            if (k == 0) run.progress(s.key() + ": " + p.describe());
        }
        StepSizeSweep sweep = new StepSizeSweep(METHODS, s.gammas(), start, offset, Stats.mean(gradNorm));
        for (int m = 0; m < METHODS.length; m++)
            for (int g = 0; g < s.gammas().length; g++) {
                for (int k = 0; k < seeds.length; k++) {
                    ClientProblem p = s.factory().build(seeds[k]);
                    sweep.put(m, g, k, ErrorFeedbackGd.run(p, METHODS[m], s.compressor(), s.gammas()[g], s.rounds(), seeds[k]));
                }
                run.progress(String.format(Locale.ROOT, "%s %s gamma=%s: final %s (%d/%d diverged)", s.key(), METHODS[m].label(),
                        Report.fmt(s.gammas()[g]), Report.fmt(sweep.meanFinal(m, g)), sweep.divergedSeeds(m, g), seeds.length));
            }
        return sweep;
    }

    /** ‖(1/n) Σᵢ ∇fᵢ(x)‖ (mini-batch gradients for stochastic problems). */
    static double meanGradientNorm(ClientProblem p, float[] x) {
        int d = p.dim();
        double[] mean = new double[d];
        float[] g = new float[d];
        for (int i = 0; i < p.clients(); i++) {
            p.gradient(i, x, g);
            for (int j = 0; j < d; j++) mean[j] += g[j] / (double) p.clients();
        }
        double sq = 0;
        for (double v : mean) sq += v * v;
        return Math.sqrt(sq);
    }

    private static String gammaOrNone(StepSizeSweep sw, int g) { return g < 0 ? "none" : Report.fmt(sw.gammas[g]); }

    /** Writes one problem's section; returns its summary row. */
    private static List<Object> section(Report report, Setup s, StepSizeSweep sw, double wall, double cpuS) throws Exception {
        ClientProblem example = s.factory().build(0);
        String lossName = s.lossName();
        boolean hasAcc = !Double.isNaN(sw.meanTestAccuracy(0, Math.max(0, sw.best(0))));
        report.heading(s.title()).paragraph(example.describe() + "; compressor " + s.compressorName() + ", " + s.rounds()
                + " rounds, steps " + fmtList(s.gammas()) + ". Mean " + lossName + " at x0: " + Report.fmt(sw.meanStart())
                + "; mean norm of the gradient at x0: " + Report.fmt(sw.startGradientNorm)
                + " (so EF21's first step is that many times longer than the normalized method's at the same gamma)"
                + String.format(Locale.ROOT, ". Time for this problem: %.0f s wall, %.0f s CPU.", wall, cpuS));

        List<String> header = new ArrayList<>(List.of("method", "best step", "final " + lossName + " (mean)", "std", "largest stable step", "diverged runs"));
        if (hasAcc) header.add("test acc. at best step");
        List<List<Object>> rows = new ArrayList<>();
        for (int m = 0; m < sw.methods.length; m++) {
            int b = sw.best(m), total = 0;
            for (int g = 0; g < sw.gammas.length; g++) total += sw.divergedSeeds(m, g);
            List<Object> row = new ArrayList<>(List.of(sw.methods[m].label(), gammaOrNone(sw, b),
                    b < 0 ? Double.POSITIVE_INFINITY : sw.meanFinal(m, b), b < 0 ? Double.NaN : sw.stdFinal(m, b),
                    gammaOrNone(sw, sw.largestStable(m)), total + " of " + sw.gammas.length * sw.seeds()));
            if (hasAcc) row.add(b < 0 ? Double.NaN : sw.meanTestAccuracy(m, b));
            rows.add(row);
        }
        report.table(s.key() + "-summary.csv", header, rows);

        List<List<Object>> grid = new ArrayList<>();
        for (int m = 0; m < sw.methods.length; m++)
            for (int g = 0; g < sw.gammas.length; g++)
                grid.add(List.of(sw.methods[m].label(), sw.gammas[g], sw.meanFinal(m, g), sw.stdFinal(m, g), sw.divergedSeeds(m, g),
                        sw.meanTestAccuracy(m, g)));
        report.paragraph("Every step size (mean over seeds; *diverged* = some seed's run blew up):");
        report.table(s.key() + "-grid.csv", List.of("method", "step", "final " + lossName, "std", "diverged seeds", "test acc."), grid);

        List<Object> verdict = verdict(report, sw);

        LinePlot vsStep = new LinePlot(s.title() + ": final " + lossName + " vs step", "step size gamma", "final " + lossName + " (mean over seeds)", true, true);
        for (int m = 0; m < sw.methods.length; m++) {
            double[] y = new double[sw.gammas.length];
            for (int g = 0; g < y.length; g++) y[g] = sw.meanFinal(m, g);
            vsStep.series(sw.methods[m].label(), sw.gammas, y, true);
        }
        report.plot(s.key() + "-final-vs-step.png", vsStep, "Final " + lossName + " against the step size, log axes; a missing point is a step where some seed's run blew up (non-finite) "
                + "or where the mean is <= 0 (below float32 resolution; the table has the value)");

        LinePlot curves = new LinePlot(s.title() + ": " + lossName + " at each method's best step", "round", lossName, false, true);
        for (int m = 0; m < sw.methods.length; m++) {
            int b = sw.best(m);
            if (b < 0) continue;
            double[] c = smooth(sw.meanCurve(m, b), s.smooth());
            double[] t = new double[c.length];
            for (int i = 0; i < t.length; i++) t[i] = i;
            curves.series(sw.methods[m].label() + " (gamma = " + Report.fmt(sw.gammas[b]) + ")", t, c);
        }
        report.plot(s.key() + "-curves.png", curves, (s.smooth() > 1
                ? "Mean over seeds of the clients' mini-batch losses, averaged over the last " + s.smooth() + " rounds"
                : "Mean over seeds of " + lossName + " at each round") + ", at each method's best step");
        List<Object> row = new ArrayList<>();
        row.add(s.key());
        row.addAll(verdict);
        return row;
    }

    /** The verdict paragraph; returns the summary cells. Decided from the numbers only. */
    private static List<Object> verdict(Report report, StepSizeSweep sw) {
        int ef21 = indexOf(sw, EfMethod.EF21), norm = indexOf(sw, EfMethod.EF21_NORMALIZED), ef14 = indexOf(sw, EfMethod.EF14);
        int sN = sw.largestStable(norm), sE = sw.largestStable(ef21);
        double gN = sN < 0 ? 0 : sw.gammas[sN], gE = sE < 0 ? 0 : sw.gammas[sE];
        String larger = gN > gE ? "yes" : gN == gE ? "same" : "no";
        int bN = sw.best(norm), bE = sw.best(ef21), b14 = sw.best(ef14);
        double lN = bN < 0 ? Double.POSITIVE_INFINITY : sw.meanFinal(norm, bN), lE = bE < 0 ? Double.POSITIVE_INFINITY : sw.meanFinal(ef21, bE);
        double dN = bN < 0 ? Double.NaN : sw.stdFinal(norm, bN), dE = bE < 0 ? Double.NaN : sw.stdFinal(ef21, bE);
        String lower = lN < lE ? (lN + dN < lE - dE ? "yes" : "yes, within the seeds' spread") : "no";
        String claim = larger.equals("yes") && lower.equals("yes") ? "held"
                : larger.equals("yes") || lower.startsWith("yes") ? "partly held" : "did not hold";
        double l14 = b14 < 0 ? Double.POSITIVE_INFINITY : sw.meanFinal(ef14, b14);
        report.paragraph(String.format(Locale.ROOT,
                "**Claim here: %s.** Largest stable step: ‖EF21‖ %s, EF21 %s (larger for ‖EF21‖: %s). Best final loss: ‖EF21‖ %s ± %s at step %s, "
                        + "EF21 %s ± %s at step %s (‖EF21‖ lower: %s; \"yes\" means lower by more than the two standard deviations together). "
                        + "EF14 for reference: best %s at step %s, largest stable step %s.",
                claim, gammaOrNone(sw, sN), gammaOrNone(sw, sE), larger, Report.fmt(lN), Report.fmt(dN), gammaOrNone(sw, bN),
                Report.fmt(lE), Report.fmt(dE), gammaOrNone(sw, bE), lower, Report.fmt(l14), gammaOrNone(sw, b14), gammaOrNone(sw, sw.largestStable(ef14))));
        return List.of(larger, lower, claim, gammaOrNone(sw, sN) + " / " + gammaOrNone(sw, sE), Report.fmt(lN) + " / " + Report.fmt(lE));
    }

    private static int indexOf(StepSizeSweep sw, EfMethod m) {
        for (int i = 0; i < sw.methods.length; i++) if (sw.methods[i] == m) return i;
        throw new IllegalArgumentException(m + " not in the sweep");
    }

    /** Trailing mean over {@code w} rounds (fewer at the start). */
    static double[] smooth(double[] c, int w) {
        if (w <= 1) return c;
        double[] out = new double[c.length];
        for (int t = 0; t < c.length; t++) {
            double sum = 0;
            int from = Math.max(0, t - w + 1);
            for (int u = from; u <= t; u++) sum += c[u];
            out[t] = sum / (t - from + 1);
        }
        return out;
    }

    private static String fmtList(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double d : v) b.append(b.length() == 0 ? "" : ", ").append(Report.fmt(d));
        return b.toString();
    }
}
