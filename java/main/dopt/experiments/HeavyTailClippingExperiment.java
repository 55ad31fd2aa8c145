package dopt.experiments;

import dopt.data.DataSets;
import dopt.data.Dataset;
import dopt.nn.LogisticRegression;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.random.HeavyTailedNoise;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chezhegov et al. 2024 ("Gradient clipping improves AdaGrad when the noise is heavy-tailed"),
 * synthetic part: AdaGrad, AdaGrad with delay, Clip-RAdaGradD, Adam and clipped Adam (all from
 * {@link NamedRules}) on a rotated quadratic (d = 100, condition number 100, synthetic as in the
 * paper) and on logistic regression over {@code spambase-standardized} (mini-batches of 64), with
 * symmetric heavy-tailed noise added to every gradient coordinate: Student-t (ν = 2) and symmetric
 * α-stable (α = 1.5), both with infinite variance. Each method's step size is picked on a grid by
 * the median final loss over seeds; the report gives the median and the 95th percentile over seeds
 * of the final loss, and the 95th-percentile loss curve. All methods of one (problem, noise, seed)
 * see the same noise and the same mini-batches (common random numbers).
 */
public final class HeavyTailClippingExperiment implements Experiment {

    /** Derived seeds per seed of the run: the 95th percentile needs many runs, and they are cheap. */
    static final int SEEDS_PER_BASE = 10;

    record Method(String label, String rule, Map<String, Object> fixed) { }

    record Noise(String label, HeavyTailedNoise.Kind kind, double index) { }

    /** What one run of a method sees: the noise (steps × dim, scaled) and the mini-batch rows (steps × batch). */
    record Stream(float[] noise, int[] batches) { }

    interface Problem {
        String label();
        List<Param> params();
        int dim();
        /** Sets the starting point x₀. */
        void reset();
        /** Writes the noiseless (full or mini-batch) gradient at the current parameters. */
        void gradient(Stream s, int step);
        double loss();
        /** Mini-batch rows per step, 0 for exact gradients. */
        int batch();
        int rows();
    }

    @Override public String name() { return "heavy-tail-clipping"; }

    @Override
    public String claim() {
        return "Chezhegov et al. 2024 (Clip-RAdaGradD): under heavy-tailed gradient noise the clipped versions of AdaGrad/Adam "
                + "(Clip-RAdaGradD, clipped Adam) have far better high-probability (95th percentile over seeds) loss than unclipped AdaGrad/Adam";
    }

    static List<Method> methods(double clip) {
        return List.of(
                new Method("AdaGrad", "adagrad", Map.of()),
                new Method("AdaGradD", "adagrad-delay", Map.of()),
                new Method("Clip-RAdaGradD", "adagrad-delay", Map.of("clip", clip)),
                new Method("AdaGrad-NormD", "adagrad-norm-delay", Map.of()),
                new Method("Clip-RAdaGrad-NormD", "adagrad-norm-delay", Map.of("clip", clip)),
                new Method("Adam", "adam", Map.of()),
                new Method("clipped Adam", "clipped-adam", Map.of("clip", clip)));
    }

    static final List<Noise> NOISES = List.of(
            new Noise("Student-t nu=2", HeavyTailedNoise.Kind.STUDENT_T, 2.0),
            new Noise("alpha-stable alpha=1.5", HeavyTailedNoise.Kind.SYMMETRIC_STABLE, 1.5));

    @Override
    public void run(ExperimentRun run) throws Exception {
        boolean quick = run.quick();
        double[] lrs = quick ? new double[] {3e-2} : new double[] {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0};
        long[] seeds = deriveSeeds(run.seeds(), quick ? 2 : SEEDS_PER_BASE);
        int quadraticDim = quick ? 10 : 100;
        int quadraticSteps = quick ? 40 : 2000, logisticSteps = quick ? 20 : 1000, checkpoints = quick ? 4 : 40;
        double quadraticSigma = 1.0, logisticSigma = 0.3, clip = 1.0;

        Dataset train = DataSets.load("spambase-standardized", Path.of("."))[0];
        if (quick) train = head(train, 200);
        List<Problem> problems = List.of(
                new Quadratic(new RotatedQuadratic(quadraticDim, 0.01, 1.0, new Rng(2024)), quadraticSteps),
                new Logistic(train, 64, logisticSteps));
        double[] sigma = {quadraticSigma, logisticSigma};

        run.report().paragraph("Setup (synthetic noise, as in the paper): "
                + "(1) quadratic f(x) = ½xᵀAx, d = " + quadraticDim + ", eigenvalues log-spaced in [0.01, 1] (condition number 100), "
                + "random rotation, x₀ ~ N(0, I), exact gradient + σ·ξ with σ = " + quadraticSigma + ", " + quadraticSteps + " steps; "
                + "(2) logistic regression on spambase-standardized (train split, " + train.n() + " rows, 57 features + bias, x₀ = 0), "
                + "mini-batch gradient (64 rows) + σ·ξ with σ = " + logisticSigma + ", " + logisticSteps + " steps, loss = full training loss. "
                + "ξ has i.i.d. coordinates, Student-t (ν = 2) or symmetric α-stable (α = 1.5, Chambers–Mallows–Stuck), both with infinite variance. "
                + "Clip level λ = " + clip + " (global norm for Clip-RAdaGradD, per tensor for clipped Adam, as in the authors' code); "
                + "AdaGradD and Clip-RAdaGradD start at b₀ = 0.01 (NamedRules default), Clip-RAdaGradD reweights with η = γ². "
                + "Step size γ picked from " + java.util.Arrays.toString(lrs) + " by the median final loss over the seeds. "
                + seeds.length + " seeds (" + (quick ? 2 : SEEDS_PER_BASE) + " derived from each seed of the run); every method sees the same "
                + "noise and mini-batches for a given seed.");

        List<List<Object>> rows = new ArrayList<>();
        for (int pi = 0; pi < problems.size(); pi++) {
            Problem problem = problems.get(pi);
            int steps = problem instanceof Quadratic q ? q.steps : ((Logistic) problem).steps;
            for (Noise noise : NOISES) {
                Stream[] streams = new Stream[seeds.length];
                for (int s = 0; s < seeds.length; s++) streams[s] = stream(problem, noise, sigma[pi], steps, seeds[s]);
                LinePlot plot = new LinePlot(problem.label() + ", " + noise.label() + ": 95th percentile over " + seeds.length + " seeds",
                        "step", "loss (95th percentile)", false, true);
                double[] xs = checkpointSteps(steps, checkpoints);
                for (Method m : methods(clip)) {
                    List<SeedLosses> grid = new ArrayList<>();
                    for (double lr : lrs) grid.add(runAll(problem, m, lr, streams, steps, checkpoints));
                    SeedLosses best = SeedLosses.bestByMedian(grid);
                    SeedLosses.appendGrid(run.outputDir().resolve("tuning-grid.csv"), problem.label() + " / " + noise.label() + " / " + m.label(), grid);
                    rows.add(List.of(problem.label(), noise.label(), m.label(), best.config(), best.finalQuantile(0.5),
                            best.finalQuantile(0.95), best.diverged() + "/" + best.seeds()));
                    plot.series(m.label() + " (" + best.config() + ")", xs, best.quantileCurve(0.95));
                    run.progress(problem.label() + " / " + noise.label() + " / " + m.label() + ": " + best.config()
                            + " median " + Report.fmt(best.finalQuantile(0.5)) + " p95 " + Report.fmt(best.finalQuantile(0.95)));
                }
                String file = "p95-" + (pi == 0 ? "quadratic" : "logreg") + "-" + (noise.kind() == HeavyTailedNoise.Kind.STUDENT_T ? "student" : "stable") + ".png";
                run.report().plot(file, plot, "95th percentile over seeds of the loss per step: " + problem.label() + ", " + noise.label());
            }
        }
        run.report().heading("Final loss over seeds (step size tuned by median)")
                .table("final-loss.csv", List.of("problem", "noise", "method", "step size", "median", "95th percentile", "diverged"), rows);
        run.report().paragraph("Every grid point (median and 95th percentile of the final loss) is in tuning-grid.csv.");
        run.report().heading("Verdict").paragraph(verdict(rows));
    }

    /** Unclipped method → its clipped counterpart, compared in the verdict. */
    static final String[][] PAIRS = {{"AdaGrad", "Clip-RAdaGradD"}, {"AdaGradD", "Clip-RAdaGradD"},
            {"AdaGrad-NormD", "Clip-RAdaGrad-NormD"}, {"Adam", "clipped Adam"}};

    /**
     * Per (problem, noise): for each unclipped/clipped pair the ratio of 95th-percentile final losses
     * (&gt; 1: the clipped one is better), and the best clipped against the best unclipped method.
     */
    static String verdict(List<List<Object>> rows) {
        Map<String, Map<String, Double>> p95 = new LinkedHashMap<>();
        for (List<Object> r : rows) p95.computeIfAbsent(r.get(0) + ", " + r.get(1), k -> new LinkedHashMap<>()).put((String) r.get(2), (Double) r.get(5));
        StringBuilder sb = new StringBuilder("Ratios of 95th-percentile final losses, unclipped / clipped (> 1: clipping helps), computed from the table above:\n\n");
        sb.append("| setting |");
        for (String[] pair : PAIRS) sb.append(' ').append(pair[0]).append(" / ").append(pair[1]).append(" |");
        sb.append(" best unclipped / best clipped |\n|---|").append("---|".repeat(PAIRS.length + 1));
        int better = 0, pairs = 0, bestBetter = 0;
        for (Map.Entry<String, Map<String, Double>> e : p95.entrySet()) {
            Map<String, Double> m = e.getValue();
            sb.append("\n| ").append(e.getKey()).append(" |");
            for (String[] pair : PAIRS) {
                double ratio = m.get(pair[0]) / m.get(pair[1]);
                pairs++;
                if (ratio > 1) better++;
                sb.append(' ').append(Report.fmt(ratio)).append(" |");
            }
            double clipped = Double.POSITIVE_INFINITY, unclipped = Double.POSITIVE_INFINITY;
            String bc = "", bu = "";
            for (Map.Entry<String, Double> x : m.entrySet()) {
                boolean isClipped = x.getKey().toLowerCase().contains("clip");
                if (isClipped && x.getValue() < clipped) { clipped = x.getValue(); bc = x.getKey(); }
                if (!isClipped && x.getValue() < unclipped) { unclipped = x.getValue(); bu = x.getKey(); }
            }
            if (clipped < unclipped) bestBetter++;
            sb.append(' ').append(Report.fmt(unclipped / clipped)).append(" (").append(bu).append(" vs ").append(bc).append(") |");
        }
        sb.append("\n\nThe clipped method has the lower 95th percentile in ").append(better).append(" of ").append(pairs)
                .append(" pairs, and the best clipped method beats the best unclipped one in ").append(bestBetter).append(" of ")
                .append(p95.size()).append(" settings.");
        return sb.toString();
    }

    static long[] deriveSeeds(long[] base, int perBase) {
        long[] out = new long[base.length * perBase];
        for (int i = 0; i < base.length; i++)
            for (int j = 0; j < perBase; j++) out[i * perBase + j] = Rng.derive(base[i], 0x4854L, j).nextLong();
        return out;
    }

    static double[] checkpointSteps(int steps, int checkpoints) {
        double[] xs = new double[checkpoints + 1];
        for (int c = 0; c <= checkpoints; c++) xs[c] = Math.round((double) c * steps / checkpoints);
        return xs;
    }

    static Stream stream(Problem p, Noise noise, double sigma, int steps, long seed) {
        Rng rng = Rng.derive(seed, 1);
        float[] xi = new float[steps * p.dim()];
        for (int i = 0; i < xi.length; i++) xi[i] = (float) (sigma * HeavyTailedNoise.sample(noise.kind(), noise.index(), rng));
        int[] batches = null;
        if (p.batch() > 0) {
            Rng rows = Rng.derive(seed, 2);
            batches = new int[steps * p.batch()];
            for (int i = 0; i < batches.length; i++) batches[i] = rows.nextInt(p.rows());
        }
        return new Stream(xi, batches);
    }

    static SeedLosses runAll(Problem p, Method m, double lr, Stream[] streams, int steps, int checkpoints) {
        Map<String, Object> hp = new LinkedHashMap<>(m.fixed());
        hp.put("lr", lr);
        SeedLosses out = new SeedLosses("lr=" + lr, streams.length, checkpoints + 1);
        double[] at = checkpointSteps(steps, checkpoints);
        for (int s = 0; s < streams.length; s++) {
            p.reset();
            Optimizer opt = new Optimizer(m.rule(), NamedRules.build(m.rule(), hp), Schedule.constant(lr), p.params(), new StateTree());
            out.set(s, 0, p.loss());
            int next = 1;
            boolean diverged = false;
            for (int t = 1; t <= steps; t++) {
                p.gradient(streams[s], t);
                addNoise(p.params(), streams[s].noise(), (t - 1) * p.dim());
                opt.step(t);
                if (t == at[next]) {
                    double l = p.loss();
                    out.set(s, next++, l);
                    if (!Double.isFinite(l)) { diverged = true; break; }
                }
            }
            if (diverged) while (next <= checkpoints) out.set(s, next++, Double.POSITIVE_INFINITY);
        }
        return out;
    }

    private static void addNoise(List<Param> params, float[] noise, int offset) {
        int k = offset;
        for (Param p : params) {
            float[] g = p.grad();
            for (int j = 0; j < g.length; j++) g[j] += noise[k++];
        }
    }

    private static Dataset head(Dataset d, int n) {
        float[] x = java.util.Arrays.copyOf(d.x(), n * d.dim());
        return new Dataset(d.name(), x, java.util.Arrays.copyOf(d.y(), n), n, d.dim(), d.classes());
    }

    /** The quadratic with exact gradients; x₀ ~ N(0, I) from a fixed seed, the same for every run. */
    static final class Quadratic implements Problem {
        final RotatedQuadratic f;
        final int steps;
        final Param x;
        final float[] x0;

        Quadratic(RotatedQuadratic f, int steps) {
            this.f = f;
            this.steps = steps;
            x = new Param("x", Param.Role.BIAS, f.dim());
            x0 = new float[f.dim()];
            Rng r = new Rng(77);
            for (int i = 0; i < x0.length; i++) x0[i] = (float) r.nextGaussian();
        }

        @Override public String label() { return "quadratic d=" + f.dim(); }
        @Override public List<Param> params() { return List.of(x); }
        @Override public int dim() { return f.dim(); }
        @Override public void reset() { System.arraycopy(x0, 0, x.value(), 0, x0.length); }
        @Override public void gradient(Stream s, int step) { f.gradient(x.value(), x.grad()); }
        @Override public double loss() { return f.value(x.value()); }
        @Override public int batch() { return 0; }
        @Override public int rows() { return 0; }
    }

    /** Logistic regression (dopt.nn) from zero, mini-batch gradients, full training loss. */
    static final class Logistic implements Problem {
        final Dataset data;
        final LogisticRegression model;
        final int batch, steps;
        final float[] bx;
        final int[] by;

        Logistic(Dataset data, int batch, int steps) {
            this.data = data;
            this.batch = batch;
            this.steps = steps;
            model = new LogisticRegression(data.dim(), data.n());
            bx = new float[batch * data.dim()];
            by = new int[batch];
        }

        @Override public String label() { return "logreg spambase-standardized"; }
        @Override public List<Param> params() { return model.params(); }
        @Override public int dim() { return data.dim() + 1; }
        @Override public void reset() { model.init(new Rng(0)); }

        @Override
        public void gradient(Stream s, int step) {
            int d = data.dim(), base = (step - 1) * batch;
            for (int i = 0; i < batch; i++) {
                int r = s.batches()[base + i];
                System.arraycopy(data.x(), r * d, bx, i * d, d);
                by[i] = data.y()[r];
            }
            model.forwardBackward(bx, by, batch);
        }

        @Override
        public double loss() {
            for (Param p : model.params())
                for (float v : p.value()) if (!Float.isFinite(v)) return Double.POSITIVE_INFINITY;
            return model.loss(data.x(), data.y(), data.n());
        }

        @Override public int batch() { return batch; }
        @Override public int rows() { return data.n(); }
    }
}
