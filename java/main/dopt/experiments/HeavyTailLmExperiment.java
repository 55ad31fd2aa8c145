package dopt.experiments;

import dopt.data.DataSets;
import dopt.data.TextCorpus;
import dopt.data.TokenBatchLoader;
import dopt.nn.TransformerConfig;
import dopt.nn.TransformerLm;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.sampling.SymmetricMatrices;
import dopt.state.StateTree;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chezhegov et al. 2024 ("Gradient clipping improves AdaGrad when the noise is heavy-tailed"), LM
 * fine-tuning part: AdaGrad, AdaGrad with delay (AdaGradD), Clip-RAdaGradD, Adam and clipped Adam
 * (all from {@link NamedRules}; clipped Adam as in the authors' fine-tuning code: each tensor
 * clipped to norm λ = 1 on its own, delayed second moment, v₀ = 1e-5, no bias correction) fine-tune
 * all weights of a small pre-trained LM with small batches, and the report compares the median and
 * the 95th percentile over seeds of the final validation loss.
 *
 * <p>What differs from the paper: the paper fine-tunes ALBERT-base on GLUE tasks (CoLA, RTE) and
 * measures the heavy-tailed gradient noise there; here the model is the byte-level LLaMA-style LM of
 * {@link LoraSbExperiment} (dim 64, 2 blocks, ≈ 123 k parameters), pre-trained with AdamW on the
 * State of the Union addresses of 1790–1998 ({@link PretrainedLm}, cached in the output folder) and
 * fine-tuned on the addresses of 1999–2021 (the same split by address as lora-sb: fine-tuning
 * training, validation, test), next-byte loss instead of classification, a few hundred steps with
 * a constant step size, and step sizes from a short half-decade grid per method (chosen by the
 * median final validation loss over a few tuning seeds that are not among the reported seeds).
 *
 * <p>Before fine-tuning, the experiment measures the gradient noise at the pre-trained weights:
 * {@code K} mini-batch gradients gᵢ (the fine-tuning batch size, distinct windows of the
 * fine-tuning training documents), ḡ their mean, and the norms ‖gᵢ − ḡ‖. Their tail index is
 * estimated with {@link TailIndex#hill} on the top k norms and compared with the same estimate on
 * the norms of a Gaussian with the same (sample) covariance, drawn through the K × K Gram matrix
 * of the centred gradients (‖z‖² = Σⱼ λⱼ ηⱼ² / K, λ its eigenvalues, η ~ N(0, I)); the excess
 * kurtosis of single coordinates is compared with a Gaussian sample of the same size.
 *
 * <p>Every method of one seed fine-tunes the same pre-trained weights on the same batch sequence
 * (common random numbers; the seed only orders the batches).
 */
public final class HeavyTailLmExperiment implements Experiment {

    /** Reported seeds per seed of the run ({@code --seeds 2} → 20 runs per method). */
    static final int SEEDS_PER_BASE = 10;

    /** Sizes of one run of the experiment (full or quick). */
    record Setup(PretrainedLm.Pretraining pretraining, int batch, int steps, int checkpoints, int evalBatch, int evalBatches,
                 int noiseSamples, int tuningSeeds, int seedsPerBase, double clip, int gridExtensions) {
        Setup {
            if (steps % checkpoints != 0) throw new IllegalArgumentException("steps " + steps + " must be a multiple of checkpoints " + checkpoints);
        }

        TransformerConfig model() { return pretraining.model(); }
        int seqLen() { return pretraining.seqLen(); }
    }

    /** A method: its label, its NamedRules rule and fixed hyper-parameters, and its step-size grid. */
    record Method(String label, String rule, Map<String, Object> fixed, double[] grid) { }

    static final Setup FULL = new Setup(new PretrainedLm.Pretraining(TransformerConfig.of(256, 64, 2, 4, 64, true), 64, 8, 1500, 3e-3),
            1, 400, 5, 8, 8, 400, 3, SEEDS_PER_BASE, 1.0, 1);
    static final Setup QUICK = new Setup(new PretrainedLm.Pretraining(TransformerConfig.of(256, 16, 1, 2, 16, true), 16, 4, 10, 3e-3),
            1, 6, 2, 4, 1, 24, 2, 2, 1.0, 0);

    @Override public String name() { return "heavy-tail-lm"; }

    @Override
    public String claim() {
        return "Chezhegov et al. 2024 (Clip-RAdaGradD), LM fine-tuning: the gradient noise of LM fine-tuning is heavy-tailed, and there "
                + "the clipped methods (Clip-RAdaGradD, clipped Adam) have far better high-probability (95th percentile over seeds) loss "
                + "than unclipped AdaGrad (with delay) and Adam";
    }

    static List<Method> methods(Setup s, boolean quick) {
        Map<String, Object> clip = Map.of("clip", s.clip());
        if (quick) {
            double[] g = {1e-3, 1e-2};
            return List.of(new Method("AdaGrad", "adagrad", Map.of(), g), new Method("AdaGradD", "adagrad-delay", Map.of(), g),
                    new Method("Clip-RAdaGradD", "adagrad-delay", clip, g), new Method("Adam", "adam", Map.of(), g),
                    new Method("clipped Adam", "clipped-adam", clip, g));
        }
        return List.of(
                new Method("AdaGrad", "adagrad", Map.of(), new double[] {1e-3, 3e-3, 1e-2}),
                new Method("AdaGradD", "adagrad-delay", Map.of(), new double[] {3e-4, 1e-3, 3e-3}),
                new Method("Clip-RAdaGradD", "adagrad-delay", clip, new double[] {1e-4, 3e-4, 1e-3}),
                new Method("Adam", "adam", Map.of(), new double[] {3e-5, 1e-4, 3e-4}),
                new Method("clipped Adam", "clipped-adam", clip, new double[] {3e-5, 1e-4, 3e-4}));
    }

    /** Unclipped method → its clipped counterpart, compared in the verdict. */
    static final String[][] PAIRS = {{"AdaGradD", "Clip-RAdaGradD"}, {"Adam", "clipped Adam"}, {"AdaGrad", "Clip-RAdaGradD"}};

    /** Everything the fine-tuning runs share: data, pre-trained weights, one model and its token buffer. */
    record Bench(Setup s, TextCorpus.Part part, int[] trainDocs, int[][] valSet, int[][] testSet, float[][] weights,
                         TransformerLm lm, int[] tokens) { }

    @Override
    public void run(ExperimentRun run) throws Exception {
        Setup s = run.quick() ? QUICK : FULL;
        Path repo = Path.of(System.getProperty("dopt.home", "")).toAbsolutePath();
        TextCorpus corpus = DataSets.corpus("sotu", repo);
        LoraSbExperiment.Split split = LoraSbExperiment.Split.of(corpus.validation());
        int[][] valSet = PretrainedLm.fixedBatches(split.part(), split.val(), s.seqLen(), s.evalBatch(), s.evalBatches(), 101);
        int[][] testSet = PretrainedLm.fixedBatches(split.part(), split.test(), s.seqLen(), s.evalBatch(), s.evalBatches(), 202);
        long t0 = System.nanoTime();
        float[][] weights = PretrainedLm.weights(run, s.pretraining(), corpus.train());
        double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
        TransformerLm lm = PretrainedLm.lm(s.model(), Math.max(s.batch(), s.evalBatch()), weights);
        Bench b = new Bench(s, split.part(), split.train(), valSet, testSet, weights, lm, new int[Math.max(s.batch(), s.evalBatch()) * (s.seqLen() + 1)]);
        double valBefore = PretrainedLm.evaluate(lm, valSet, s.evalBatch(), s.seqLen());
        double testBefore = PretrainedLm.evaluate(lm, testSet, s.evalBatch(), s.seqLen());
        run.progress(String.format("pre-trained: validation loss %.4f, test loss %.4f (%.0f s)", valBefore, testBefore, pretrainSeconds));

        Report rep = run.report();
        long[] tuning = tuningSeeds(run.seeds()[0], s.tuningSeeds());
        long[] seeds = HeavyTailClippingExperiment.deriveSeeds(run.seeds(), s.seedsPerBase());
        List<Method> methods = methods(s, run.quick());
        TextCorpus.Part p = split.part();
        rep.heading("Setup").paragraph(String.format(
                "Model: LLaMA-style byte-level LM %s (%,d parameters), context %d bytes. Pre-training (as lora-sb, cached in this folder as "
                        + "pretrained-*.h5): SOTU addresses %d–%d, AdamW lr %.0e (warm-up 10 %%, cosine to 10 %%), batch %d, %d steps, seed 0; "
                        + "weights obtained in %.0f s (about a minute to train here, a second when read from the cache).%n%nFine-tuning: all weights, on the held-out addresses %d–%d split by address as in lora-sb: "
                        + "%d addresses for training, %d for validation (reported, and used to pick the step), %d for test. "
                        + "Batch %d windows of %d bytes (small on purpose: heavy noise), %d steps, constant step size, no weight decay. "
                        + "Validation and test losses: mean next-byte cross-entropy (nats) over %d fixed windows each, every %d steps.%n%n"
                        + "Methods (NamedRules): AdaGrad = adagrad (PyTorch's, eps 1e-10); AdaGradD = adagrad-delay (coordinate-wise, "
                        + "b₀ = 0.01, η = 1); Clip-RAdaGradD = adagrad-delay with global-norm clipping λ = %s and η = γ²; Adam = adam "
                        + "(β = 0.9, 0.999, eps 1e-8, bias-corrected); clipped Adam = clipped-adam (every tensor clipped to norm λ = %s on its "
                        + "own, delayed second moment, v₀ = 1e-5, no bias correction, as in the authors' fine-tuning code).%n%n"
                        + "Step size: per method from its half-decade grid (below), the value with the lowest median final validation loss "
                        + "over %d tuning seeds %s (not among the reported seeds); when an edge wins, the grid is extended by up to %d "
                        + "half-decade past it, and an edge pick that remains is flagged. Then %d seeds (%d per seed of the run) at that step. "
                        + (run.quick() ? "" : "The grids were placed after a pilot run of each method over 1e-5 … 1e-1 on one seed that is not used here. ")
                        + "Every method sees the same batch sequence for a given seed (common random numbers).",
                s.model(), s.model().paramCount(), s.seqLen(), corpus.train().year()[0], corpus.train().year()[corpus.train().documents() - 1],
                s.pretraining().lr(), s.pretraining().batch(), s.pretraining().steps(), pretrainSeconds,
                p.year()[0], p.year()[p.documents() - 1], split.train().length, split.val().length, split.test().length,
                s.batch(), s.seqLen(), s.steps(), valSet.length * s.evalBatch(), s.steps() / s.checkpoints(),
                Report.fmt(s.clip()), Report.fmt(s.clip()), tuning.length, java.util.Arrays.toString(tuning), s.gridExtensions(),
                seeds.length, s.seedsPerBase()));

        // 1. the gradient noise at the pre-trained weights
        noise(run, b);

        // 2. step sizes on the tuning seeds, then the reported seeds
        List<List<Object>> rows = new ArrayList<>(), perSeed = new ArrayList<>(), gridRows = new ArrayList<>();
        Map<String, SeedLosses> chosen = new LinkedHashMap<>();
        double[] xs = new double[s.checkpoints() + 1];
        for (int c = 0; c <= s.checkpoints(); c++) xs[c] = (double) c * s.steps() / s.checkpoints();
        for (Method m : methods) {
            Map<Double, SeedLosses> tuned = new HashMap<>();
            EdgeExtendedGrid.Outcome search = EdgeExtendedGrid.search(m.grid(), s.gridExtensions(), lr -> {
                SeedLosses r = new SeedLosses(lrLabel(lr), tuning.length, s.checkpoints() + 1);
                for (int i = 0; i < tuning.length; i++) fineTune(b, m, lr, tuning[i], r, i);
                tuned.put(lr, r);
                run.progress(String.format("%s %s: tuning median %.4f, p95 %.4f", m.label(), lrLabel(lr), r.finalQuantile(0.5), r.finalQuantile(0.95)));
                return r.finalQuantile(0.5);
            });
            if (!search.found()) throw new IllegalStateException(m.label() + ": every step size diverged on the tuning seeds");
            double lr = search.chosen();
            for (double g : search.scores().keySet()) {
                SeedLosses t = tuned.get(g);
                gridRows.add(List.of(m.label(), lrLabel(g), t.finalQuantile(0.5), t.finalQuantile(0.95),
                        t.diverged() + "/" + t.seeds(), g == lr ? "chosen" : ""));
            }
            String edge = !search.atEdge() ? "" : lr == search.scores().firstKey() ? "lowest of grid" : "highest of grid";
            SeedLosses r = new SeedLosses(lrLabel(lr), seeds.length, s.checkpoints() + 1);
            double[] test = new double[seeds.length], secs = new double[seeds.length];
            for (int i = 0; i < seeds.length; i++) {
                long t = System.nanoTime();
                test[i] = fineTune(b, m, lr, seeds[i], r, i);
                secs[i] = (System.nanoTime() - t) / 1e9;
                double[] curve = r.curve(i);
                perSeed.add(List.of(m.label(), seeds[i], lrLabel(lr), curve[curve.length - 1], test[i]));
            }
            chosen.put(m.label(), r);
            rows.add(List.of(m.label(), lrLabel(lr), edge, r.finalQuantile(0.5), r.finalQuantile(0.95), r.finalQuantile(1.0),
                    r.diverged() + "/" + r.seeds(), Stats.median(test), Stats.mean(secs)));
            run.progress(String.format("%s %s%s: median %.4f p95 %.4f max %.4f (%.1f s per run)", m.label(), lrLabel(lr),
                    edge.isEmpty() ? "" : " (" + edge + ")", r.finalQuantile(0.5), r.finalQuantile(0.95), r.finalQuantile(1.0), Stats.mean(secs)));
        }

        rep.heading("Final validation loss over " + seeds.length + " seeds (step size tuned by the median over the tuning seeds)")
                .paragraph(String.format("Before fine-tuning: validation loss %.4f, test loss %.4f.", valBefore, testBefore))
                .table("final-loss.csv", List.of("method", "step size", "edge", "median", "95th percentile", "max", "diverged",
                        "median test loss", "seconds per run"), rows)
                .paragraph("The 95th percentile interpolates linearly between order statistics: with " + seeds.length + " seeds it sits at "
                        + "position 0.95 × " + (seeds.length - 1) + " = " + Report.fmt(0.95 * (seeds.length - 1)) + " (0-based) of the sorted "
                        + "losses, i.e. between the " + ordinal(seeds.length - (int) Math.floor(0.95 * (seeds.length - 1))) + " and the "
                        + ordinal(seeds.length - (int) Math.floor(0.95 * (seeds.length - 1)) - 1) + " largest value"
                        + (0.95 * (seeds.length - 1) >= seeds.length - 2 ? ", so it is nearly the maximum. " : ". ")
                        + "Every seed's final validation and test loss is in seeds.csv (full precision).");
        rep.heading("Step-size grids (final validation loss over the " + tuning.length + " tuning seeds)")
                .table("tuning-grid.csv", List.of("method", "step size", "median", "95th percentile", "diverged", "chosen"), gridRows);
        StringBuilder csv = new StringBuilder("method,seed,step size,final validation loss,final test loss\n");
        for (List<Object> r : perSeed)
            csv.append(String.format(java.util.Locale.ROOT, "%s,%d,%s,%.6f,%.6f%n", r.get(0), (Long) r.get(1), r.get(2), (Double) r.get(3), (Double) r.get(4)));
        java.nio.file.Files.writeString(run.outputDir().resolve("seeds.csv"), csv);

        LinePlot p95 = new LinePlot("Validation loss, 95th percentile over " + seeds.length + " seeds", "step", "validation loss (nats/byte)", false, false);
        LinePlot med = new LinePlot("Validation loss, median over " + seeds.length + " seeds", "step", "validation loss (nats/byte)", false, false);
        for (var e : chosen.entrySet()) {
            p95.series(e.getKey() + " (" + e.getValue().config() + ")", xs, finiteOrNaN(e.getValue().quantileCurve(0.95)), true);
            med.series(e.getKey() + " (" + e.getValue().config() + ")", xs, finiteOrNaN(e.getValue().quantileCurve(0.5)), true);
        }
        rep.plot("p95-validation.png", p95, "95th percentile over seeds of the validation loss during fine-tuning, each method at its chosen step size");
        rep.plot("median-validation.png", med, "Median over seeds of the validation loss during fine-tuning");
        rep.heading("Verdict").paragraph(verdict(rows));
    }

    static String ordinal(int n) {
        return n == 1 ? "1st" : n == 2 ? "2nd" : n == 3 ? "3rd" : n + "th";
    }

    private static String lrLabel(double lr) { return "lr=" + String.format("%.0e", lr); }

    private static double[] finiteOrNaN(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) if (!Double.isFinite(out[i])) out[i] = Double.NaN;
        return out;
    }

    static long[] tuningSeeds(long base, int n) {
        long[] out = new long[n];
        for (int j = 0; j < n; j++) out[j] = Rng.derive(base, 0x7E57L, j).nextLong();
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * One fine-tuning run from the pre-trained weights: the validation loss at every checkpoint goes
     * to {@code out} row {@code row} (+∞ from a non-finite training loss on); returns the final test loss.
     */
    static double fineTune(Bench b, Method m, double lr, long seed, SeedLosses out, int row) {
        Setup s = b.s();
        TransformerLm lm = b.lm();
        List<Param> ps = lm.params();
        for (int i = 0; i < ps.size(); i++) System.arraycopy(b.weights()[i], 0, ps.get(i).value(), 0, b.weights()[i].length);
        Map<String, Object> hp = new LinkedHashMap<>(m.fixed());
        hp.put("lr", lr);
        Optimizer opt = new Optimizer(m.rule(), NamedRules.build(m.rule(), hp), Schedule.constant(lr), ps, new StateTree());
        TokenBatchLoader loader = TokenBatchLoader.ofDocuments(b.part(), b.trainDocs(), s.seqLen(), s.batch(), seed, 0);
        int[] tokens = b.tokens();
        int every = s.steps() / s.checkpoints();
        out.set(row, 0, PretrainedLm.evaluate(lm, b.valSet(), s.evalBatch(), s.seqLen()));
        for (int step = 1; step <= s.steps(); step++) {
            loader.next(tokens);
            float loss = lm.forwardBackward(tokens, s.batch(), s.seqLen());
            if (!Float.isFinite(loss)) {
                for (int c = (step - 1) / every + 1; c <= s.checkpoints(); c++) out.set(row, c, Double.POSITIVE_INFINITY);
                return Double.POSITIVE_INFINITY;
            }
            opt.step(step);
            if (step % every == 0) out.set(row, step / every, PretrainedLm.evaluate(lm, b.valSet(), s.evalBatch(), s.seqLen()));
        }
        double test = PretrainedLm.evaluate(lm, b.testSet(), s.evalBatch(), s.seqLen());
        return Double.isFinite(test) ? test : Double.POSITIVE_INFINITY;
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Tail statistics of the mini-batch gradient noise at the pre-trained weights (see the class
     * comment): the noise norms ‖gᵢ − ḡ‖, the eigenvalues of the noise's sample covariance, the
     * per-coordinate noise variance and excess kurtosis (in {@link TransformerLm#params()} order,
     * NaN for a coordinate without noise), the gradient norms ‖gᵢ‖, ‖ḡ‖, and how often the global
     * norm and a tensor's norm exceed the clip level λ.
     */
    record NoiseStats(double[] norms, double[] eigenvalues, double[] variance, double[] kurtosis, double[] gradNorms,
                      double meanGradNorm, double globalClippedShare, double tensorClippedShare) { }

    static NoiseStats sampleNoise(Bench b, int k, long seed) {
        Setup s = b.s();
        TransformerLm lm = b.lm();
        List<Param> ps = lm.params();
        for (int i = 0; i < ps.size(); i++) System.arraycopy(b.weights()[i], 0, ps.get(i).value(), 0, b.weights()[i].length);
        int d = 0;
        for (Param p : ps) d += p.size();
        float[] g = new float[k * d];
        double[] gradNorms = new double[k];
        long tensorsOver = 0;
        int globalOver = 0;
        TokenBatchLoader loader = TokenBatchLoader.ofDocuments(b.part(), b.trainDocs(), s.seqLen(), s.batch(), seed, 0);
        if ((long) k * s.batch() > loader.windows()) throw new IllegalArgumentException("the noise sample would reuse windows");
        for (int i = 0; i < k; i++) {
            loader.next(b.tokens());
            lm.forwardBackward(b.tokens(), s.batch(), s.seqLen());
            int off = i * d;
            double sq = 0;
            for (Param p : ps) {
                float[] gr = p.grad();
                double t = 0;
                for (int j = 0; j < gr.length; j++) t += (double) gr[j] * gr[j];
                if (t > s.clip() * s.clip()) tensorsOver++;
                sq += t;
                System.arraycopy(gr, 0, g, off, gr.length);
                off += gr.length;
            }
            gradNorms[i] = Math.sqrt(sq);
            if (gradNorms[i] > s.clip()) globalOver++;
        }
        double[] mean = new double[d];
        for (int i = 0; i < k; i++) for (int j = 0; j < d; j++) mean[j] += g[i * d + j];
        double meanNorm = 0;
        for (int j = 0; j < d; j++) { mean[j] /= k; meanNorm += mean[j] * mean[j]; }
        for (int i = 0; i < k; i++) for (int j = 0; j < d; j++) g[i * d + j] -= (float) mean[j];
        double[] norms = new double[k];
        for (int i = 0; i < k; i++) {
            double sq = 0;
            for (int j = 0; j < d; j++) sq += (double) g[i * d + j] * g[i * d + j];
            norms[i] = Math.sqrt(sq);
        }
        // the Gram matrix of the centred gradients has the non-zero eigenvalues of K·Σ (Σ their sample covariance)
        float[] gram = new float[k * k];
        Dense.matmulBT(g, g, gram, k, d, k);
        double[] sym = new double[k * k], values = new double[k], vectors = new double[k * k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) sym[i * k + j] = 0.5 * ((double) gram[i * k + j] + gram[j * k + i]);
        SymmetricMatrices.eigen(sym, k, values, vectors);
        for (int i = 0; i < k; i++) values[i] = Math.max(0, values[i]) / k;
        double[] m2 = new double[d], m4 = new double[d], variance = new double[d], kurtosis = new double[d];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < d; j++) {
                double x = g[i * d + j], x2 = x * x;
                m2[j] += x2;
                m4[j] += x2 * x2;
            }
        for (int j = 0; j < d; j++) {
            variance[j] = m2[j] / k;
            kurtosis[j] = m2[j] == 0 ? Double.NaN : k * m4[j] / (m2[j] * m2[j]) - 3;
        }
        return new NoiseStats(norms, values, variance, kurtosis, gradNorms, Math.sqrt(meanNorm), (double) globalOver / k,
                (double) tensorsOver / ((long) k * ps.size()));
    }

    /** Norms of n draws of N(0, Σ) where Σ has eigenvalues {@code lambda}: ‖z‖² = Σⱼ λⱼ ηⱼ², η ~ N(0, I). */
    static double[] gaussianNorms(double[] lambda, int n, Rng rng) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (double l : lambda) {
                double e = rng.nextGaussian();
                sq += l * e * e;
            }
            out[i] = Math.sqrt(sq);
        }
        return out;
    }

    /** Hill's α̂ on the top 5, 10 and 20 % of a sample of k (at least 1 value each). */
    static int[] hillKs(int k) {
        return new int[] {Math.max(1, k / 20), Math.max(1, k / 10), Math.max(1, k / 5)};
    }

    static final int GAUSSIAN_REPEATS = 200;

    private static void noise(ExperimentRun run, Bench b) throws Exception {
        Setup s = b.s();
        int k = s.noiseSamples();
        long t0 = System.nanoTime();
        NoiseStats n = sampleNoise(b, k, 0x4015EL);
        run.progress(String.format("noise sample: %d gradients (%.0f s)", k, (System.nanoTime() - t0) / 1e9));
        Report rep = run.report();

        // Hill on the measured norms and on GAUSSIAN_REPEATS samples of k norms of the matching Gaussian
        int[] ks = hillKs(k);
        Rng rng = Rng.derive(0x4015EL, 0x6A55);
        double[][] gaussHill = new double[ks.length][GAUSSIAN_REPEATS];
        double[] firstGauss = null;
        for (int r = 0; r < GAUSSIAN_REPEATS; r++) {
            double[] gn = gaussianNorms(n.eigenvalues(), k, rng);
            if (r == 0) firstGauss = gn;
            for (int i = 0; i < ks.length; i++) gaussHill[i][r] = TailIndex.hill(gn, ks[i]);
        }
        List<List<Object>> rows = new ArrayList<>();
        double[] measuredHill = new double[ks.length];
        for (int i = 0; i < ks.length; i++) {
            measuredHill[i] = TailIndex.hill(n.norms(), ks[i]);
            rows.add(List.of("Hill tail index of ‖g − ḡ‖ (top " + ks[i] + " of " + k + ")", measuredHill[i], Stats.median(gaussHill[i]),
                    Report.fmt(Stats.quantile(gaussHill[i], 0.05)) + " – " + Report.fmt(Stats.quantile(gaussHill[i], 0.95))));
        }
        rows.add(List.of("max / median of ‖g − ḡ‖", Stats.quantile(n.norms(), 1) / Stats.median(n.norms()),
                Stats.quantile(firstGauss, 1) / Stats.median(firstGauss), "(one sample)"));
        rows.add(List.of("excess kurtosis of ‖g − ḡ‖", TailIndex.excessKurtosis(n.norms()), TailIndex.excessKurtosis(firstGauss), "(one sample)"));

        // per-coordinate excess kurtosis against the same statistic on k Gaussian values
        double[] gk = new double[2000], x = new double[k];
        Rng kr = Rng.derive(0x4015EL, 0x6B);
        for (int r = 0; r < gk.length; r++) {
            for (int i = 0; i < k; i++) x[i] = kr.nextGaussian();
            gk[r] = TailIndex.excessKurtosis(x);
        }
        double g99 = Stats.quantile(gk, 0.99);
        List<Param> ps = b.lm().params();
        List<List<Object>> coords = new ArrayList<>();
        int off = 0, allLive = 0, allOver = 0;
        List<Double> allK = new ArrayList<>();
        for (Param p : ps) {
            int top = -1, live = 0, over = 0;
            double[] kt = new double[p.size()];
            int m = 0;
            for (int j = 0; j < p.size(); j++) {
                double kj = n.kurtosis()[off + j];
                if (Double.isNaN(kj)) continue;
                kt[m++] = kj;
                live++;
                if (kj > g99) over++;
                if (top < 0 || n.variance()[off + j] > n.variance()[off + top]) top = j;
            }
            if (live > 0) {
                double[] kk = java.util.Arrays.copyOf(kt, m);
                for (double v : kk) allK.add(v);
                coords.add(List.of(p.name(), p.size(), live, top, Math.sqrt(n.variance()[off + top]), n.kurtosis()[off + top],
                        Stats.median(kk), (double) over / live));
            }
            allLive += live;
            allOver += over;
            off += p.size();
        }
        double[] all = new double[allK.size()];
        for (int i = 0; i < all.length; i++) all[i] = allK.get(i);

        rep.heading("Is the gradient noise heavy-tailed?").paragraph(String.format(
                "At the pre-trained weights: %d mini-batch gradients gᵢ (batch %d × %d bytes, distinct windows of the fine-tuning training "
                        + "addresses), ḡ their mean. ‖ḡ‖ = %s; median ‖gᵢ‖ = %s (max %s); median ‖gᵢ − ḡ‖ = %s. Clipping at λ = %s: "
                        + "the global norm (Clip-RAdaGradD) exceeds λ in %.0f %% of the batches, a tensor's norm (clipped Adam) in %.1f %% "
                        + "of (batch, tensor) pairs. The reference is a Gaussian with the same sample covariance (rank ≤ %d, from the Gram "
                        + "matrix of the centred gradients); its Hill estimates are over %d samples of %d norms each.",
                k, s.batch(), s.seqLen(), Report.fmt(n.meanGradNorm()), Report.fmt(Stats.median(n.gradNorms())),
                Report.fmt(Stats.quantile(n.gradNorms(), 1)), Report.fmt(Stats.median(n.norms())), Report.fmt(s.clip()),
                100 * n.globalClippedShare(), 100 * n.tensorClippedShare(), k - 1, GAUSSIAN_REPEATS, k))
                .table("noise-tail.csv", List.of("statistic", "measured", "Gaussian, same covariance (median)", "Gaussian 5 – 95 %"), rows);
        rep.paragraph(String.format("Single coordinates: excess kurtosis over the %d samples, per tensor for the coordinate with the largest "
                        + "noise variance, the median over the tensor's coordinates, and the share of coordinates above %s, the 99th percentile "
                        + "of the excess kurtosis of %d Gaussian values (1 %% for Gaussian noise). Over all %,d coordinates with noise: "
                        + "median excess kurtosis %s (Gaussian: %s), %.1f %% above the Gaussian 99th percentile.",
                k, Report.fmt(g99), k, allLive, Report.fmt(Stats.median(all)), Report.fmt(Stats.median(gk)), 100.0 * allOver / Math.max(1, allLive)))
                .table("noise-coordinates.csv", List.of("tensor", "size", "coordinates with noise", "top-variance coordinate", "its noise std",
                        "its excess kurtosis", "median excess kurtosis", "share above Gaussian 99 %"), coords);

        LinePlot tail = new LinePlot("Survival of the noise norm ‖g − ḡ‖ (" + k + " batches of " + s.batch() + ")",
                "norm / median norm", "share of batches with a larger norm", true, true);
        tail.series("measured", survivalX(n.norms()), survivalY(k), true);
        tail.series("Gaussian, same covariance", survivalX(firstGauss), survivalY(k), true);
        rep.plot("noise-tail.png", tail, "Empirical survival function of the noise norm on log–log axes (a power-law tail is a straight line "
                + "of slope −α); each sample divided by its median");

        int mid = 1;
        double lo = Stats.quantile(gaussHill[mid], 0.05);
        rep.paragraph(String.format("Reading (from the numbers above): Hill's α̂ on the top %d norms is %s against %s for the Gaussian "
                        + "(5 %% quantile %s), so the noise norm's tail is %s. %s",
                ks[mid], Report.fmt(measuredHill[mid]), Report.fmt(Stats.median(gaussHill[mid])), Report.fmt(lo),
                measuredHill[mid] < lo ? "heavier than a Gaussian's" : "not distinguishable from a Gaussian's by this test",
                measuredHill[mid] < 2 ? "An α̂ below 2 is the infinite-variance regime the paper's theory addresses."
                        : measuredHill[mid] < 4 ? "α̂ lies between 2 and 4: finite variance, but heavy (infinite fourth moment), not the α < 2 regime of the paper's theory."
                        : "α̂ is above 4: a light tail by this estimate, far from the α < 2 regime of the paper's theory."));
    }

    private static double[] survivalX(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        double med = Stats.median(s);
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) out[i] = s[s.length - 1 - i] / med;
        return out;
    }

    private static double[] survivalY(int k) {
        double[] out = new double[k];
        for (int i = 0; i < k; i++) out[i] = (i + 1.0) / k;
        return out;
    }

    /**
     * For each unclipped/clipped pair: both 95th percentiles and medians of the final validation loss
     * and whether clipping lowered the 95th percentile; then how many pairs it helped.
     */
    static String verdict(List<List<Object>> rows) {
        Map<String, List<Object>> by = new LinkedHashMap<>();
        for (List<Object> r : rows) by.put((String) r.get(0), r);
        StringBuilder sb = new StringBuilder("Final validation loss, unclipped vs clipped (computed from the table above; "
                + "spread = 95th percentile − median of the clipped method):\n\n"
                + "| pair | median | 95th percentile | max | 95th percentile lower by | spread | clipping |\n|---|---|---|---|---|---|---|");
        int better = 0, clearly = 0, main = 0, mainClearly = 0, mainBetter = 0;
        for (int pi = 0; pi < PAIRS.length; pi++) {
            List<Object> u = by.get(PAIRS[pi][0]), c = by.get(PAIRS[pi][1]);
            double mu = (Double) u.get(3), pu = (Double) u.get(4), xu = (Double) u.get(5), mc = (Double) c.get(3), pc = (Double) c.get(4), xc = (Double) c.get(5);
            double gap = pu - pc, spread = pc - mc;
            boolean b = gap > 0, clear = b && gap > spread;
            String word = clear ? "clearly better (gap > spread)" : b ? "better, within the spread" : "not better";
            sb.append(String.format("%n| %s vs %s | %s vs %s | %s vs %s | %s vs %s | %s | %s | %s |", PAIRS[pi][0], PAIRS[pi][1],
                    Report.fmt(mu), Report.fmt(mc), Report.fmt(pu), Report.fmt(pc), Report.fmt(xu), Report.fmt(xc), Report.fmt(gap),
                    Report.fmt(spread), word));
            if (b) better++;
            if (clear) clearly++;
            if (pi < 2) {
                main++;
                if (b) mainBetter++;
                if (clear) mainClearly++;
            }
        }
        sb.append(String.format("%n%nClipping lowered the 95th percentile in %d of %d pairs (clearly in %d). ", better, PAIRS.length, clearly));
        sb.append(mainClearly == main ? "On the two pairs of the claim (AdaGradD vs Clip-RAdaGradD, Adam vs clipped Adam) the claim held."
                : mainBetter == main ? "On the two pairs of the claim (AdaGradD vs Clip-RAdaGradD, Adam vs clipped Adam) the clipped method had the "
                        + "lower 95th percentile, but not by more than its own spread: the claim held only weakly (not \"far better\")."
                : mainBetter > 0 ? "The claim held in only one of its two pairs (AdaGradD vs Clip-RAdaGradD, Adam vs clipped Adam)."
                : "The claim did not hold in either pair (AdaGradD vs Clip-RAdaGradD, Adam vs clipped Adam).");
        return sb.toString();
    }
}
