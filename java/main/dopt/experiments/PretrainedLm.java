package dopt.experiments;

import dopt.data.TextCorpus;
import dopt.data.TokenBatchLoader;
import dopt.io.Checkpoint;
import dopt.io.CheckpointException;
import dopt.nn.Batch;
import dopt.nn.Network;
import dopt.nn.TransformerConfig;
import dopt.nn.TransformerLm;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The pre-trained small LM the fine-tuning experiments start from ({@code lora-sb},
 * {@code heavy-tail-lm}): a {@link TransformerLm} trained with AdamW (warm-up 10 %, cosine to
 * 10 %) from seed 0 on one corpus part, cached in the experiment's output folder as
 * {@code pretrained-<dim>x<layers>-<steps>.h5} (reused when its recorded setup matches), plus the
 * fixed evaluation windows and the evaluation loop both experiments use.
 */
final class PretrainedLm {
    private PretrainedLm() { }

    /** What the pre-training run is: model, context, batch, steps and peak learning rate. */
    record Pretraining(TransformerConfig model, int seqLen, int batch, int steps, double lr) { }

    /** A fresh LM of {@code cfg} holding {@code weights} (in {@link TransformerLm#params()} order). */
    static TransformerLm lm(TransformerConfig cfg, int maxBatch, float[][] weights) {
        TransformerLm lm = new TransformerLm(cfg, maxBatch);
        List<Param> ps = lm.params();
        for (int i = 0; i < ps.size(); i++) System.arraycopy(weights[i], 0, ps.get(i).value(), 0, weights[i].length);
        return lm;
    }

    /** The pre-trained weights, from the cache file in the output folder or trained now (seed 0, whatever the run's seeds). */
    static float[][] weights(ExperimentRun run, Pretraining s, TextCorpus.Part train) throws Exception {
        String desc = s.model() + " seqLen " + s.seqLen() + " batch " + s.batch() + " steps " + s.steps() + " lr " + s.lr();
        Path file = run.outputDir().resolve("pretrained-" + s.model().dim() + "x" + s.model().layers() + "-" + s.steps() + ".h5");
        TransformerLm lm = new TransformerLm(s.model(), s.batch());
        List<Param> ps = lm.params();
        if (Files.exists(file)) {
            try {
                Checkpoint.Loaded l = Checkpoint.read(file);
                if (desc.equals(l.attributes().get("setup"))) {
                    float[][] w = new float[ps.size()][];
                    for (int i = 0; i < w.length; i++) w[i] = l.tree().floats("params/" + ps.get(i).name()).clone();
                    run.progress("pre-trained weights from " + file.getFileName());
                    return w;
                }
            } catch (CheckpointException e) {
                run.progress("ignoring the cached weights: " + e.getMessage());
            }
        }
        lm.init(new Rng(0));
        TokenBatchLoader loader = TokenBatchLoader.iid(train, 1, 0, s.seqLen(), s.batch(), 0);
        Schedule sched = Schedule.warmupCosine(s.lr(), s.steps() / 10, s.steps(), 0.1);
        Optimizer opt = new Optimizer("adamw", NamedRules.build("adamw", Map.of("lr", s.lr()), sched), sched, ps, new StateTree());
        int[] tokens = new int[s.batch() * (s.seqLen() + 1)];
        double smooth = Double.NaN;
        for (int step = 1; step <= s.steps(); step++) {
            loader.next(tokens);
            float loss = lm.forwardBackward(tokens, s.batch(), s.seqLen());
            opt.step(step);
            smooth = Double.isNaN(smooth) ? loss : 0.95 * smooth + 0.05 * loss;
            if (step % 100 == 0) run.progress(String.format("pre-training step %d: loss %.4f", step, smooth));
        }
        StateTree tree = new StateTree();
        float[][] w = new float[ps.size()][];
        for (int i = 0; i < w.length; i++) {
            w[i] = ps.get(i).value().clone();
            tree.putFloats("params/" + ps.get(i).name(), w[i], ps.get(i).shape());
        }
        Checkpoint.write(tree, file, Map.of("setup", desc));
        return w;
    }

    /** A fixed evaluation set: the first {@code maxBatches} batches of a seeded pass over {@code docs}. */
    static int[][] fixedBatches(TextCorpus.Part part, int[] docs, int seqLen, int batch, int maxBatches, long seed) {
        TokenBatchLoader l = TokenBatchLoader.ofDocuments(part, docs, seqLen, batch, seed, 0);
        int n = Math.min(maxBatches, l.batchesPerEpoch());
        int[][] out = new int[n][batch * (seqLen + 1)];
        for (int[] b : out) l.next(b);
        return out;
    }

    /** The mean loss over the batches of {@code set}. */
    static double evaluate(Network<Batch.Windows> m, int[][] set, int batch, int seqLen) {
        double sum = 0;
        for (int[] b : set) sum += m.loss(new Batch.Windows(b, batch, seqLen));
        return sum / set.length;
    }
}
