package dopt.experiments;

import dopt.data.DataSets;
import dopt.data.TextCorpus;
import dopt.data.TokenBatchLoader;
import dopt.nn.Batch;
import dopt.nn.Network;
import dopt.nn.TransformerConfig;
import dopt.nn.TransformerLm;
import dopt.nn.adapter.Adapted;
import dopt.nn.adapter.AdapterSet;
import dopt.nn.adapter.FirstStepEstimate;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA-SB against LoRA, LoRA-XS and full fine-tuning on a domain shift in real text (Ponkshe et
 * al. 2024, "Initialization using update approximation is a silver bullet for extreme efficient
 * low-rank fine-tuning"). A small LLaMA-style byte-level LM ({@link TransformerLm}, the "tiny"
 * preset: dim 64, 2 blocks, 4 heads, tied head) is pre-trained with AdamW on the State of the Union
 * addresses of 1790–1998 ({@link dopt.data.Sotu}'s training part); the addresses of 1999–2021 (its
 * validation part, a later time slice the model never saw) are the fine-tuning task, split by
 * address into fine-tuning training (12), validation (5, to choose the learning rate) and test (6,
 * reported) documents. Every method fine-tunes the same pre-trained weights (trained once, cached
 * in the output folder as {@code pretrained-*.h5}) on the same batches per seed, with AdamW and a
 * linear warm-up + cosine schedule; LoRA-SB's η₁ is that schedule's first-step rate, its gradient
 * estimate uses ≈ 50 training windows. The learning rate of each method is the grid value with
 * the lowest validation loss on the first seed; the other seeds reuse it.
 */
public final class LoraSbExperiment implements Experiment {

    /** Sizes of one run of the experiment (full or quick). */
    record Setup(TransformerConfig model, int seqLen, int batch, int pretrainSteps, double pretrainLr, int steps,
                 int evalEvery, int evalBatches, int rank, int sbSamples, double[] grid) {
        Setup {
            if (steps % evalEvery != 0) throw new IllegalArgumentException("steps " + steps + " must be a multiple of evalEvery " + evalEvery);
        }
    }

    enum Kind { FULL, LORA, LORA_XS, LORA_SB }

    record Method(String label, Kind kind, int rank) { }

    /** One fine-tuning run. */
    record Result(double testLoss, double valLoss, double[] curveSteps, double[] curve, double[] trainLoss,
                  long trainable, long stateBytes, double seconds) { }

    static final Setup FULL = new Setup(TransformerConfig.of(256, 64, 2, 4, 64, true), 64, 8, 1500, 3e-3, 200, 20, 16, 8, 50,
            new double[] {3e-3, 1e-2, 3e-2, 1e-1});
    static final Setup QUICK = new Setup(TransformerConfig.of(256, 16, 1, 2, 16, true), 16, 4, 10, 3e-3, 4, 2, 1, 2, 8,
            new double[] {1e-3, 1e-2});

    /** How many half-decades a learning-rate grid may be extended past a winning edge ({@link EdgeExtendedGrid}). */
    static final int MAX_EXTENSIONS = 2;

    @Override public String name() { return "lora-sb"; }

    @Override
    public String claim() {
        return "LoRA-SB (LoRA-XS architecture, r×r trained, initialised from the truncated SVD of the estimated first "
                + "full fine-tuning step) beats LoRA and LoRA-XS while training far fewer parameters "
                + "(Ponkshe et al. 2024, 'Initialization using update approximation is a silver bullet for extreme efficient low-rank fine-tuning').";
    }

    /** The fine-tuning part of the corpus: fine-tuning training, validation and test documents. */
    record Split(TextCorpus.Part part, int[] train, int[] val, int[] test) {
        static Split of(TextCorpus.Part part) {
            List<Integer> tr = new ArrayList<>(), va = new ArrayList<>(), te = new ArrayList<>();
            for (int d = 0; d < part.documents(); d++) (d % 4 == 1 ? te : d % 4 == 3 ? va : tr).add(d);
            return new Split(part, ints(tr), ints(va), ints(te));
        }

        private static int[] ints(List<Integer> l) {
            int[] a = new int[l.size()];
            for (int i = 0; i < a.length; i++) a[i] = l.get(i);
            return a;
        }
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        Setup s = run.quick() ? QUICK : FULL;
        Path repo = Path.of(System.getProperty("dopt.home", "")).toAbsolutePath();
        TextCorpus corpus = DataSets.corpus("sotu", repo);
        Split split = Split.of(corpus.validation());
        int[][] valSet = fixedBatches(split.part(), split.val(), s, 101);
        int[][] testSet = fixedBatches(split.part(), split.test(), s, 202);

        long t0 = System.nanoTime();
        float[][] pretrained = pretrained(run, s, corpus.train());
        double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
        TransformerLm probe = lm(s, pretrained);
        double beforeTest = evaluate(probe, testSet, s), beforeVal = evaluate(probe, valSet, s);
        run.progress(String.format("pre-trained: test loss %.4f, validation loss %.4f (%.0f s)", beforeTest, beforeVal, pretrainSeconds));

        long loraCount = AdapterSet.lora(AdapterSet.select(probe.params(), AdapterSet.MATRICES), s.rank(), 2 * s.rank(), new Rng(0)).trainableCount();
        int matrices = AdapterSet.select(probe.params(), AdapterSet.MATRICES).size();
        int maxRank = Math.min(s.model().dim(), s.model().hidden());
        int matchRank = (int) Math.min(maxRank, Math.round(Math.sqrt((double) loraCount / matrices)));
        List<Method> methods = List.of(
                new Method("full fine-tuning", Kind.FULL, 0),
                new Method("LoRA r=" + s.rank(), Kind.LORA, s.rank()),
                new Method("LoRA-XS r=" + s.rank(), Kind.LORA_XS, s.rank()),
                new Method("LoRA-SB r=" + s.rank(), Kind.LORA_SB, s.rank()),
                new Method("LoRA-XS r=" + matchRank, Kind.LORA_XS, matchRank),
                new Method("LoRA-SB r=" + matchRank, Kind.LORA_SB, matchRank));

        long[] seeds = run.seeds();
        Map<Method, java.util.TreeMap<Double, Double>> gridVal = new LinkedHashMap<>();
        Map<Method, Double> chosen = new LinkedHashMap<>();
        Map<Method, String> atEdge = new LinkedHashMap<>();
        Map<Method, List<Result>> results = new LinkedHashMap<>();
        for (Method m : methods) {
            // the grid, extended by up to two half-decades past whichever edge wins (an edge optimum is no optimum)
            Map<Double, Result> byLr = new java.util.HashMap<>();
            EdgeExtendedGrid.Outcome search = EdgeExtendedGrid.search(s.grid(), MAX_EXTENSIONS, lr -> {
                Result r = fineTune(s, m, lr, seeds[0], pretrained, split, valSet, testSet);
                byLr.put(lr, r);
                run.progress(String.format("%s lr %.0e seed %d: validation %.4f test %.4f (%.1f s)", m.label(), lr, seeds[0], r.valLoss(), r.testLoss(), r.seconds()));
                return r.valLoss();
            });
            java.util.TreeMap<Double, Double> vals = new java.util.TreeMap<>(search.scores());
            // every value diverged: the smallest one tried, as before (the report shows its loss)
            double lr0 = search.found() ? search.chosen() : vals.firstKey();
            Result best = byLr.get(lr0);
            double lr = lr0;
            List<Result> rs = new ArrayList<>();
            rs.add(best);
            for (int i = 1; i < seeds.length; i++) {
                Result r = fineTune(s, m, lr, seeds[i], pretrained, split, valSet, testSet);
                run.progress(String.format("%s lr %.0e seed %d: validation %.4f test %.4f (%.1f s)", m.label(), lr, seeds[i], r.valLoss(), r.testLoss(), r.seconds()));
                rs.add(r);
            }
            gridVal.put(m, vals);
            chosen.put(m, lr);
            if (search.atEdge() || !search.found()) atEdge.put(m, search.describe());
            results.put(m, rs);
        }
        report(run, s, corpus, split, methods, gridVal, chosen, atEdge, results, beforeTest, beforeVal, pretrainSeconds, loraCount);
    }

    // ---------------------------------------------------------------------------------------------

    private static TransformerLm lm(Setup s, float[][] weights) {
        return PretrainedLm.lm(s.model(), s.batch(), weights);
    }

    private static float[][] pretrained(ExperimentRun run, Setup s, TextCorpus.Part train) throws Exception {
        return PretrainedLm.weights(run, new PretrainedLm.Pretraining(s.model(), s.seqLen(), s.batch(), s.pretrainSteps(), s.pretrainLr()), train);
    }

    private static int[][] fixedBatches(TextCorpus.Part part, int[] docs, Setup s, long seed) {
        return PretrainedLm.fixedBatches(part, docs, s.seqLen(), s.batch(), s.evalBatches(), seed);
    }

    private static double evaluate(Network<Batch.Windows> m, int[][] set, Setup s) {
        return PretrainedLm.evaluate(m, set, s.batch(), s.seqLen());
    }

    static Result fineTune(Setup s, Method method, double lr, long seed, float[][] pretrained, Split split, int[][] valSet, int[][] testSet) {
        long t0 = System.nanoTime();
        TransformerLm lm = lm(s, pretrained);
        Schedule sched = Schedule.warmupCosine(lr, Math.max(1, s.steps() / 10), s.steps(), 0.1);
        List<Param> targets = AdapterSet.select(lm.params(), AdapterSet.MATRICES);
        Rng rng = Rng.derive(seed, 0xADA);
        int[] tokens = new int[s.batch() * (s.seqLen() + 1)];
        Batch.Windows batch = new Batch.Windows(tokens, s.batch(), s.seqLen());
        Network<Batch.Windows> model = switch (method.kind()) {
            case FULL -> lm;
            case LORA -> new Adapted<>(lm, AdapterSet.lora(targets, method.rank(), 2 * method.rank(), rng));
            case LORA_XS -> new Adapted<>(lm, AdapterSet.loraXs(targets, method.rank(), 1, rng));
            case LORA_SB -> {
                // the gradient sample: its own pass over the fine-tuning documents, so that training batches match the other methods'
                TokenBatchLoader sample = TokenBatchLoader.ofDocuments(split.part(), split.train(), s.seqLen(), s.batch(), seed ^ 0x5B5B, 0);
                int batches = (s.sbSamples() + s.batch() - 1) / s.batch();
                List<float[]> updates = FirstStepEstimate.of(targets, () -> {
                    sample.next(tokens);
                    lm.forwardBackward(tokens, s.batch(), s.seqLen());
                }, batches, sched.lr(1));
                yield new Adapted<>(lm, AdapterSet.loraSb(targets, method.rank(), updates));
            }
        };
        List<Param> trainable = model.params();
        long count = 0;
        for (Param p : trainable) count += p.size();
        Optimizer opt = new Optimizer("adamw", NamedRules.build("adamw", Map.of("lr", lr), sched), sched, trainable, new StateTree());
        TokenBatchLoader loader = TokenBatchLoader.ofDocuments(split.part(), split.train(), s.seqLen(), s.batch(), seed, 0);
        int points = s.steps() / s.evalEvery() + 1;
        double[] at = new double[points], curve = new double[points], train = new double[s.steps()];
        at[0] = 0;
        curve[0] = evaluate(model, testSet, s);
        int k = 1;
        for (int step = 1; step <= s.steps(); step++) {
            loader.next(tokens);
            float loss = model.forwardBackward(batch);
            train[step - 1] = loss;
            if (!Float.isFinite(loss)) {
                java.util.Arrays.fill(curve, k, points, Double.NaN);
                return new Result(Double.NaN, Double.NaN, at, curve, train, count, opt.stateBytes(), (System.nanoTime() - t0) / 1e9);
            }
            opt.step(step);
            if (step % s.evalEvery() == 0 && k < points) {
                at[k] = step;
                curve[k++] = evaluate(model, testSet, s);
            }
        }
        double test = curve[points - 1], val = evaluate(model, valSet, s);
        return new Result(test, val, at, curve, train, count, opt.stateBytes(), (System.nanoTime() - t0) / 1e9);
    }

    // ---------------------------------------------------------------------------------------------

    private static void report(ExperimentRun run, Setup s, TextCorpus corpus, Split split, List<Method> methods,
                               Map<Method, java.util.TreeMap<Double, Double>> gridVal, Map<Method, Double> chosen, Map<Method, String> atEdge,
                               Map<Method, List<Result>> results,
                               double beforeTest, double beforeVal, double pretrainSeconds, long loraCount) throws Exception {
        Report rep = run.report();
        TextCorpus.Part p = split.part();
        rep.heading("Setup").paragraph(String.format(
                "Model: LLaMA-style byte-level LM %s (%,d parameters), context %d, batch %d.%n%n"
                        + "Pre-training: SOTU addresses %d–%d (%d documents, %,d bytes), AdamW lr %.0e (warm-up 10 %%, cosine to 10 %%), "
                        + "%d steps, seed 0; weights obtained in %.0f s (a few seconds when read from the cache: pretrained-*.h5 in this folder, shared by all seeds).%n%n"
                        + "Fine-tuning task: the held-out addresses %d–%d (never seen in pre-training), split by address: "
                        + "%d for fine-tuning (%s), %d for validation (learning-rate choice: %s), %d for test (reported: %s). "
                        + "%d steps of AdamW (weight decay 0.01, warm-up 10 %%, cosine to 10 %%), batch %d × %d bytes. "
                        + "Losses are mean next-byte cross-entropy (nats) over %d fixed windows of each evaluation set.%n%n"
                        + "Adapters on all attention and MLP weights (wq wk wv wo w1 w2 w3 of every block); embedding/head and norms frozen. "
                        + "LoRA: α = 2r, B = 0, A Kaiming-uniform. LoRA-XS: B = U_r, A = S_r V_rᵀ of W₀, R ~ N(0, 1e-10), scaling 1. "
                        + "LoRA-SB: ΔW = −η₁·sign(Σg) over %d windows, η₁ = the schedule's first-step rate, B = U_r, R = S_r, A = V_rᵀ of ΔW, "
                        + "scaling 1, W₀ not corrected. Second rank %s: r² per matrix ≈ LoRA r=%d's %,d parameters. "
                        + "Learning rate per method: the grid %s value with the lowest validation loss on seed %d (%s); the other seeds reuse it. "
                        + "Chosen learning rates still at an edge of the extended grid: %s.",
                s.model(), s.model().paramCount(), s.seqLen(), s.batch(),
                corpus.train().year()[0], corpus.train().year()[corpus.train().documents() - 1], corpus.train().documents(), corpus.train().tokens().length,
                s.pretrainLr(), s.pretrainSteps(), pretrainSeconds,
                p.year()[0], p.year()[p.documents() - 1], split.train().length, years(p, split.train()), split.val().length, years(p, split.val()),
                split.test().length, years(p, split.test()), s.steps(), s.batch(), s.seqLen(), s.evalBatches() * s.batch(),
                ((s.sbSamples() + s.batch() - 1) / s.batch()) * s.batch(),
                methods.get(methods.size() - 1).rank(), s.rank(), loraCount, java.util.Arrays.toString(s.grid()), run.seeds()[0],
                EdgeExtendedGrid.rule(MAX_EXTENSIONS), edges(atEdge)));

        List<List<Object>> rows = new ArrayList<>();
        double fullMean = Double.NaN;
        for (Method m : methods) {
            List<Result> rs = results.get(m);
            double[] test = new double[rs.size()], val = new double[rs.size()], secs = new double[rs.size()];
            for (int i = 0; i < rs.size(); i++) { test[i] = rs.get(i).testLoss(); val[i] = rs.get(i).valLoss(); secs[i] = rs.get(i).seconds(); }
            if (m.kind() == Kind.FULL) fullMean = Stats.mean(test);
            Result r0 = rs.get(0);
            rows.add(List.of(m.label(), r0.trainable(), r0.stateBytes(), String.format("%.0e", chosen.get(m)), beforeTest,
                    Stats.mean(test), Stats.std(test), beforeTest - Stats.mean(test), Stats.mean(val), Stats.mean(secs)));
        }
        rep.heading("Result: held-out test loss before and after fine-tuning").table("results.csv",
                List.of("method", "trainable params", "optimizer state (bytes)", "lr", "test loss before", "test loss after (mean)",
                        "std over seeds", "improvement", "validation loss after", "seconds per run"), rows);

        List<List<Object>> per = new ArrayList<>();
        for (Method m : methods) {
            List<Result> rs = results.get(m);
            for (int i = 0; i < rs.size(); i++)
                per.add(List.of(m.label(), run.seeds()[i], chosen.get(m), rs.get(i).curve()[0], rs.get(i).testLoss(), rs.get(i).valLoss()));
        }
        rep.table("seeds.csv", List.of("method", "seed", "lr", "test loss at step 0", "test loss after", "validation loss after"), per);

        List<List<Object>> grid = new ArrayList<>();
        for (Method m : methods)
            for (var e : gridVal.get(m).entrySet())
                grid.add(List.of(m.label(), String.format("%.0e", e.getKey()), e.getValue(), e.getKey().equals(chosen.get(m)) ? "chosen" : ""));
        rep.heading("Learning-rate grid (validation loss, seed " + run.seeds()[0] + ")").table("lr-grid.csv",
                List.of("method", "lr", "validation loss", "chosen"), grid);

        LinePlot curves = new LinePlot("Held-out test loss during fine-tuning (mean over seeds)", "step", "test loss (nats/byte)", false, false);
        LinePlot trainPlot = new LinePlot("Fine-tuning training loss (mean over seeds, moving average of 10 steps)", "step", "training loss (nats/byte)", false, false);
        for (Method m : methods) {
            List<Result> rs = results.get(m);
            double[] x = rs.get(0).curveSteps(), y = new double[x.length];
            for (Result r : rs) for (int i = 0; i < y.length; i++) y[i] += r.curve()[i] / rs.size();
            curves.series(m.label(), x, y, true);
            int n = s.steps();
            double[] tx = new double[n], ty = new double[n];
            for (int i = 0; i < n; i++) {
                tx[i] = i + 1;
                double sum = 0;
                int c = 0;
                for (Result r : rs) for (int j = Math.max(0, i - 9); j <= i; j++) { sum += r.trainLoss()[j]; c++; }
                ty[i] = sum / c;
            }
            trainPlot.series(m.label(), tx, ty);
        }
        rep.plot("test-loss.png", curves, "Held-out (test addresses) loss every " + s.evalEvery() + " steps, mean over " + run.seeds().length
                + " seeds at each method's chosen learning rate; step 0 is the model the method starts from (LoRA-SB starts one approximated step ahead)");
        rep.plot("train-loss.png", trainPlot, "Fine-tuning training loss, mean over seeds");

        LinePlot params = new LinePlot("Final test loss vs trainable parameters", "trainable parameters", "test loss (nats/byte)", true, false);
        for (Method m : methods) {
            List<Result> rs = results.get(m);
            double[] t = new double[rs.size()];
            for (int i = 0; i < t.length; i++) t[i] = rs.get(i).testLoss();
            params.series(m.label(), new double[] {rs.get(0).trainable()}, new double[] {Stats.mean(t)}, true);
        }
        rep.plot("loss-vs-params.png", params, "Mean final test loss against trainable parameter count (log scale)");

        rep.heading("Did the claim hold?").paragraph(verdict(methods, results, fullMean));
    }

    /** "none", or "LoRA r=2: 1e-01 (still at the upper edge after 2 extensions); ...". */
    private static String edges(Map<Method, String> atEdge) {
        if (atEdge.isEmpty()) return "none";
        StringBuilder b = new StringBuilder();
        for (var e : atEdge.entrySet()) b.append(b.length() == 0 ? "" : "; ").append(e.getKey().label()).append(": ").append(e.getValue());
        return b.toString();
    }

    private static String years(TextCorpus.Part p, int[] docs) {
        StringBuilder b = new StringBuilder();
        for (int d : docs) b.append(b.length() == 0 ? "" : ", ").append(p.year()[d]);
        return b.toString();
    }

    /** Written from the numbers: compares LoRA-SB at the small rank with LoRA and LoRA-XS at the same rank. */
    static String verdict(List<Method> methods, Map<Method, List<Result>> results, double fullMean) {
        Map<Kind, Method> small = new LinkedHashMap<>();
        for (Method m : methods) small.putIfAbsent(m.kind(), m);
        Method sb = small.get(Kind.LORA_SB), lora = small.get(Kind.LORA), xs = small.get(Kind.LORA_XS);
        double[] sbT = tests(results.get(sb)), loraT = tests(results.get(lora)), xsT = tests(results.get(xs));
        double sbM = Stats.mean(sbT), loraM = Stats.mean(loraT), xsM = Stats.mean(xsT);
        boolean beatsLora = sbM < loraM, beatsXs = sbM < xsM;
        boolean clearLora = Stats.quantile(sbT, 1) < Stats.quantile(loraT, 0), clearXs = Stats.quantile(sbT, 1) < Stats.quantile(xsT, 0);
        long sbN = results.get(sb).get(0).trainable(), loraN = results.get(lora).get(0).trainable();
        StringBuilder b = new StringBuilder();
        b.append(String.format("At rank %d, %s trains %,d parameters, %s %,d (%.0f× more). Mean held-out test loss: %s %.4f, %s %.4f, %s %.4f, full fine-tuning %.4f.%n%n",
                sb.rank(), sb.label(), sbN, lora.label(), loraN, (double) loraN / sbN, sb.label(), sbM, lora.label(), loraM, xs.label(), xsM, fullMean));
        b.append(String.format("- vs LoRA: %s (%+.4f nats%s).%n", beatsLora ? "LoRA-SB is better" : "LoRA-SB is not better", sbM - loraM,
                clearLora ? "; every LoRA-SB seed beats every LoRA seed" : beatsLora ? "; the seeds overlap" : ""));
        b.append(String.format("- vs LoRA-XS: %s (%+.4f nats%s).%n%n", beatsXs ? "LoRA-SB is better" : "LoRA-SB is not better", sbM - xsM,
                clearXs ? "; every LoRA-SB seed beats every LoRA-XS seed" : beatsXs ? "; the seeds overlap" : ""));
        Method sbBig = null, xsBig = null;
        for (Method m : methods) {
            if (m.kind() == Kind.LORA_SB && m.rank() != sb.rank()) sbBig = m;
            if (m.kind() == Kind.LORA_XS && m.rank() != xs.rank()) xsBig = m;
        }
        if (sbBig != null && xsBig != null) {
            double[] sbB = tests(results.get(sbBig)), xsB = tests(results.get(xsBig));
            b.append(String.format("At about LoRA's parameter count (%s, %,d parameters): %s %.4f vs %s %.4f (%+.4f) and vs %s %.4f (%+.4f).%n%n",
                    sbBig.label(), results.get(sbBig).get(0).trainable(), sbBig.label(), Stats.mean(sbB), lora.label(), loraM,
                    Stats.mean(sbB) - loraM, xsBig.label(), Stats.mean(xsB), Stats.mean(sbB) - Stats.mean(xsB)));
        }
        b.append(beatsLora && beatsXs ? "The claim held on this run." : beatsXs ? "The claim held only in part: LoRA-SB beat LoRA-XS but not LoRA."
                : beatsLora ? "The claim held only in part: LoRA-SB beat LoRA but not LoRA-XS." : "The claim did not hold on this run.");
        return b.toString();
    }

    private static double[] tests(List<Result> rs) {
        double[] t = new double[rs.size()];
        for (int i = 0; i < t.length; i++) t[i] = rs.get(i).testLoss();
        return t;
    }
}
