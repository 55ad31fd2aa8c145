package dopt.experiments;

import dopt.optim.ClipMode;
import dopt.optim.ClippedSstm;
import dopt.optim.GradientTransformation;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.optim.SmoothedMedianOfMeans;
import dopt.random.HeavyTailedNoise;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Puchkin, Gorbunov, Kutuzov and Gasnikov 2024 ("Breaking the heavy-tailed noise barrier in
 * stochastic optimization problems"), synthetic: clipped-SGD and clipped-SSTM on a rotated
 * quadratic (d = 100, condition number 100) whose stochastic gradients are ∇f(x) + ξ with ξ
 * symmetric α-stable (α &lt; 2, infinite variance), each fed either the mean of m samples (plain
 * clipping) or the {@link SmoothedMedianOfMeans} of the same m samples, so both use the same number
 * of oracle calls per step. Hyper-parameters are tuned per method and estimator on a small grid by
 * the median final loss over seeds; the report gives median and 95th percentile over seeds of the
 * final optimality gap and the 95th-percentile curve. clipped-SSTM is measured at its output y.
 */
public final class HeavyTailMomExperiment implements Experiment {

    record Config(String label, double p1, double p2) { }

    @Override public String name() { return "heavy-tail-mom"; }

    @Override
    public String claim() {
        return "Puchkin et al. 2024 (smoothed medians of means): with symmetric heavy-tailed noise of infinite variance (alpha < 2), "
                + "clipped-SGD and clipped-SSTM converge faster with high probability when fed the smoothed median of means "
                + "than with plain clipping of the mini-batch mean";
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        boolean quick = run.quick();
        int d = quick ? 10 : 100, steps = quick ? 40 : 1000, checkpoints = quick ? 4 : 25;
        int samples = 15, groups = 5;
        double sigma = 1.0, theta = 0.01;
        double[] alphas = quick ? new double[] {1.5} : new double[] {1.5, 1.2};
        long[] seeds = HeavyTailClippingExperiment.deriveSeeds(run.seeds(), quick ? 2 : HeavyTailClippingExperiment.SEEDS_PER_BASE);
        List<Config> sgdGrid = new ArrayList<>(), sstmGrid = new ArrayList<>();
        double[] lrs = quick ? new double[] {0.3} : new double[] {0.03, 0.1, 0.3, 1};
        double[] lambdas = quick ? new double[] {1} : new double[] {0.3, 1, 3};
        double[] as = quick ? new double[] {10} : new double[] {1, 3, 10, 30, 100, 300};
        double[] bs = quick ? new double[] {1} : new double[] {0.03, 0.1, 0.3, 1};
        for (double lr : lrs) for (double l : lambdas) sgdGrid.add(new Config("lr=" + lr + " clip=" + l, lr, l));
        for (double a : as) for (double b : bs) sstmGrid.add(new Config("a=" + a + " B=" + b, a, b));

        RotatedQuadratic f = new RotatedQuadratic(d, 0.01, 1.0, new Rng(2024));
        float[] x0 = new float[d];
        Rng r0 = new Rng(77);
        for (int i = 0; i < d; i++) x0[i] = (float) r0.nextGaussian();

        run.report().paragraph("Setup (synthetic, as in the paper): f(x) = ½xᵀAx, d = " + d + ", eigenvalues log-spaced in [0.01, 1] "
                + "(L = 1, condition number 100), random rotation, x₀ ~ N(0, I) (f(x₀) = " + Report.fmt(f.value(x0)) + "); stochastic gradient "
                + "∇f(x) + σξ, σ = " + sigma + ", ξ with i.i.d. symmetric α-stable coordinates (infinite variance). Each step draws m = "
                + samples + " samples; *mean*: their average, *SMoM*: " + groups + " groups of " + samples / groups
                + ", Gaussian smoothing θ = " + theta + ", coordinate-wise median (Puchkin et al. 2024). " + steps + " steps, global-norm clipping. "
                + "clipped-SGD: x ← x − γ·clip(ĝ, λ), grid γ ∈ " + java.util.Arrays.toString(lrs) + ", λ ∈ " + java.util.Arrays.toString(lambdas)
                + "; clipped-SSTM (L = 1, ν = 1): grid a ∈ " + java.util.Arrays.toString(as) + ", B ∈ " + java.util.Arrays.toString(bs)
                + ", loss at the output y. Each (method, estimator) is tuned separately by median final f over the seeds. "
                + seeds.length + " seeds (derived from the run's seeds); all methods see the same noise for a given seed.");

        List<List<Object>> rows = new ArrayList<>();
        double[] xs = HeavyTailClippingExperiment.checkpointSteps(steps, checkpoints);
        for (double alpha : alphas) {
            // [method][estimator][config]
            String[] methods = {"clipped-SGD", "clipped-SSTM"}, estimators = {"mean", "SMoM"};
            List<List<List<SeedLosses>>> res = new ArrayList<>();
            for (int mi = 0; mi < 2; mi++) {
                List<List<SeedLosses>> perEst = new ArrayList<>();
                for (int e = 0; e < 2; e++) {
                    List<SeedLosses> grid = new ArrayList<>();
                    for (Config c : mi == 0 ? sgdGrid : sstmGrid) grid.add(new SeedLosses(c.label(), seeds.length, checkpoints + 1));
                    perEst.add(grid);
                }
                res.add(perEst);
            }
            float[] noise = new float[steps * samples * d];
            for (int s = 0; s < seeds.length; s++) {
                Rng rng = Rng.derive(seeds[s], 1);
                for (int i = 0; i < noise.length; i++) noise[i] = (float) (sigma * HeavyTailedNoise.symmetricStable(alpha, rng));
                for (int mi = 0; mi < 2; mi++) {
                    List<Config> grid = mi == 0 ? sgdGrid : sstmGrid;
                    for (int e = 0; e < 2; e++)
                        for (int c = 0; c < grid.size(); c++) {
                            SmoothedMedianOfMeans est = e == 0 ? new SmoothedMedianOfMeans(1, 0, Rng.derive(seeds[s], 3))
                                    : new SmoothedMedianOfMeans(groups, theta, Rng.derive(seeds[s], 3));
                            runOne(f, x0, mi == 1, grid.get(c), est, noise, samples, steps, checkpoints, res.get(mi).get(e).get(c), s);
                        }
                }
                if ((s + 1) % 10 == 0) run.progress("alpha " + alpha + ": " + (s + 1) + "/" + seeds.length + " seeds");
            }
            LinePlot plot = new LinePlot("quadratic d=" + d + ", alpha-stable alpha=" + alpha + ": 95th percentile over " + seeds.length + " seeds",
                    "step", "f(x) - f* (95th percentile)", false, true);
            for (int mi = 0; mi < 2; mi++)
                for (int e = 0; e < 2; e++) {
                    SeedLosses best = SeedLosses.bestByMedian(res.get(mi).get(e));
                    String label = methods[mi] + " + " + estimators[e];
                    SeedLosses.appendGrid(run.outputDir().resolve("tuning-grid.csv"), "alpha=" + alpha + " / " + label, res.get(mi).get(e));
                    rows.add(List.of("alpha=" + alpha, label, best.config(), best.finalQuantile(0.5), best.finalQuantile(0.95), best.diverged() + "/" + best.seeds()));
                    plot.series(label + " (" + best.config() + ")", xs, best.quantileCurve(0.95));
                    run.progress("alpha " + alpha + " / " + label + ": " + best.config() + " median " + Report.fmt(best.finalQuantile(0.5))
                            + " p95 " + Report.fmt(best.finalQuantile(0.95)));
                }
            run.report().plot("p95-alpha-" + alpha + ".png", plot, "95th percentile over seeds of f(x) − f* per step, symmetric α-stable noise, α = " + alpha);
        }
        run.report().heading("Final optimality gap over seeds (tuned by median)")
                .table("final-loss.csv", List.of("noise", "method + estimator", "tuned", "median", "95th percentile", "diverged"), rows);
        run.report().paragraph("Every grid point (median and 95th percentile of the final gap) is in tuning-grid.csv.");
        StringBuilder v = new StringBuilder("95th-percentile final gap, mean / SMoM (> 1: the smoothed median of means helps), from the table above:\n");
        int held = 0;
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            double ratio = (Double) rows.get(i).get(4) / (Double) rows.get(i + 1).get(4);
            if (ratio > 1) held++;
            v.append("\n- ").append(rows.get(i).get(0)).append(", ").append(((String) rows.get(i).get(1)).replace(" + mean", ""))
                    .append(": ").append(Report.fmt(ratio));
        }
        v.append("\n\nSMoM has the lower 95th percentile in ").append(held).append(" of ").append(rows.size() / 2).append(" comparisons.");
        run.report().heading("Verdict").paragraph(v.toString());
    }

    private static void runOne(RotatedQuadratic f, float[] x0, boolean sstm, Config c, SmoothedMedianOfMeans est, float[] noise,
                               int m, int steps, int checkpoints, SeedLosses out, int seed) {
        int d = f.dim();
        Param x = new Param("x", Param.Role.BIAS, d);
        System.arraycopy(x0, 0, x.value(), 0, d);
        GradientTransformation rule;
        ClippedSstm sstmRule = null;
        if (sstm) rule = sstmRule = new ClippedSstm(c.p1(), f.lipschitz(), 1, c.p2(), ClipMode.GLOBAL);
        else rule = NamedRules.build("clipped-sgd", Map.of("lr", c.p1(), "clip", c.p2()));
        // the schedule only names clipped-SGD's step for lr(); clipped-SSTM's steps come from its own a and L
        Optimizer opt = new Optimizer(sstm ? "clipped-sstm" : "clipped-sgd", rule, Schedule.constant(sstm ? 0 : c.p1()), List.of(x),
                new StateTree());
        float[] exact = new float[d], batch = new float[m * d];
        double[] at = HeavyTailClippingExperiment.checkpointSteps(steps, checkpoints);
        out.set(seed, 0, f.value(x0));
        int next = 1;
        for (int t = 1; t <= steps; t++) {
            f.gradient(x.value(), exact);
            int base = (t - 1) * m * d;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < d; j++) batch[i * d + j] = exact[j] + noise[base + i * d + j];
            est.estimate(batch, m, d, x.grad());
            opt.step(t);
            float[] v = x.value();
            if (t == at[next]) {
                double l = f.value(sstm ? sstmRule.output(0) : v);
                out.set(seed, next++, l);
                if (!Double.isFinite(l)) {
                    while (next <= checkpoints) out.set(seed, next++, Double.POSITIVE_INFINITY);
                    return;
                }
            }
        }
    }
}
