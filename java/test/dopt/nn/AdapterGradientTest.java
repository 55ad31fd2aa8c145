package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.nn.adapter.Adapted;
import dopt.nn.adapter.AdapterSet;
import dopt.nn.adapter.FirstStepEstimate;
import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The adapted models' gradients with respect to the adapter matrices against finite differences
 * (the adapter classes live in dopt.nn.adapter; this test sits in dopt.nn to use the shared
 * {@link GradientCheck}). Every adapter matrix is moved away from its
 * initialisation first, so that LoRA's B = 0 does not make ∂L/∂A vanish trivially.
 */
class AdapterGradientTest {
    static final int VOCAB = 11, SEQ = 5, BATCH = 2, RANK = 2;

    private static TransformerLm base() {
        TransformerLm lm = new TransformerLm(TransformerConfig.of(VOCAB, 8, 2, 2, SEQ, false), BATCH);
        lm.init(new Rng(21));
        GradientCheck.randomize(lm.params(), new Rng(22), 0.35);
        return lm;
    }

    private static void check(TransformerLm lm, AdapterSet set) {
        Adapted<Batch.Windows> m = new Adapted<>(lm, set);
        GradientCheck.randomize(m.params(), new Rng(25), 0.35);
        Batch.Windows batch = new Batch.Windows(TransformerLmTest.randomTokens(new Rng(23), BATCH, SEQ, VOCAB), BATCH, SEQ);
        float loss = m.forwardBackward(batch);
        assertTrue(loss > 0.5, "loss " + loss);
        int checked = GradientCheck.check(m.params(), () -> m.loss(batch), new Rng(24));
        assertEquals(set.trainableCount(), checked, "every coordinate of every adapter matrix is checked");
    }

    @Test
    void loraGradientsOnEveryAttentionAndMlpWeightMatchFiniteDifferences() {
        TransformerLm lm = base();
        check(lm, AdapterSet.lora(AdapterSet.select(lm.params(), AdapterSet.MATRICES), RANK, 4, new Rng(3)));
    }

    @Test
    void loraXsLatentGradientsMatchFiniteDifferences() {
        TransformerLm lm = base();
        check(lm, AdapterSet.loraXs(AdapterSet.select(lm.params(), AdapterSet.MATRICES), RANK, 1, new Rng(3)));
    }

    @Test
    void loraSbLatentGradientsMatchFiniteDifferences() {
        TransformerLm lm = base();
        List<Param> targets = AdapterSet.select(lm.params(), AdapterSet.MATRICES);
        int[] tokens = TransformerLmTest.randomTokens(new Rng(31), BATCH, SEQ, VOCAB);
        // a large first step so that B and A (the singular vectors of ΔW) carry a real signal
        List<float[]> updates = FirstStepEstimate.of(targets, () -> lm.forwardBackward(tokens, BATCH, SEQ), 3, 0.05);
        check(lm, AdapterSet.loraSb(targets, RANK, updates));
    }

    /** The MLP through {@link Adapted}: LoRA on its hidden layers (the head is not adapted). */
    @Test
    void mlpWithLoraOnItsHiddenLayersHasExactAdapterGradients() {
        Rng rng = new Rng(41);
        Mlp mlp = new Mlp(6, new int[] {5, 4}, 3, 4);
        mlp.init(new Rng(42));
        AdapterSet set = AdapterSet.lora(AdapterSet.select(mlp.params(), AdapterSet.MATRICES), RANK, 2, new Rng(43));
        Adapted<Batch.Examples> m = new Adapted<>(mlp, set);
        GradientCheck.randomize(m.params(), new Rng(44), 0.5);
        Batch.Examples batch = new Batch.Examples(GradientCheck.gaussian(rng, 4 * 6), new int[] {0, 2, 1, 2}, 4);
        GradientCheck.Result r = GradientCheck.run(m, batch, 1e-3, 3e-4, 1e-2, 1000, 0, rng, null);
        assertEquals(set.trainableCount(), r.compared());
        assertEquals(2 * (5 + 6) + 2 * (4 + 5), r.compared(), "rank 2: r·(m+n) for the 5×6 and 4×5 hidden weights");
    }
}
