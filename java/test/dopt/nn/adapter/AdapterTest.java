package dopt.nn.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdapterTest {
    static final int VOCAB = 13, DIM = 16, LAYERS = 2, SEQ = 6, BATCH = 3;

    private static TransformerLm pretrained() {
        TransformerLm lm = new TransformerLm(TransformerConfig.of(VOCAB, DIM, LAYERS, 2, SEQ, false), BATCH);
        lm.init(new Rng(1));
        return lm;
    }

    private static int[] tokens(long seed) {
        Rng rng = new Rng(seed);
        int[] t = new int[BATCH * (SEQ + 1)];
        for (int i = 0; i < t.length; i++) t[i] = rng.nextInt(VOCAB);
        return t;
    }

    private static AdapterSet sb(TransformerLm lm, int r) {
        List<Param> targets = AdapterSet.select(lm.params(), AdapterSet.MATRICES);
        int[] t = tokens(5);
        return AdapterSet.loraSb(targets, r, FirstStepEstimate.of(targets, () -> lm.forwardBackward(t, BATCH, SEQ), 2, 1e-3));
    }

    @Test
    void loraAtInitialisationComputesExactlyTheBaseModel() {
        TransformerLm lm = pretrained();
        int[] t = tokens(2);
        float before = lm.loss(t, BATCH, SEQ);
        Adapted<Batch.Windows> m = new Adapted<>(lm, AdapterSet.lora(AdapterSet.select(lm.params(), AdapterSet.MATRICES), 4, 8, new Rng(3)));
        assertEquals(Float.floatToIntBits(before), Float.floatToIntBits(m.loss(new Batch.Windows(t, BATCH, SEQ))), "B = 0: W₀ + (α/r)·0·A is W₀");
        for (Adapter a : m.adapters().adapters()) {
            a.merge();
            assertArrayEquals(a.frozen(), a.base().value(), a.base().name());
            a.restore();
        }
    }

    @Test
    void trainableCountsAreRSquaredPerMatrixForTheLatentAdaptersAndRTimesMPlusNForLora() {
        TransformerLm lm = pretrained();
        List<Param> targets = AdapterSet.select(lm.params(), AdapterSet.MATRICES);
        assertEquals(7 * LAYERS, targets.size(), "wq wk wv wo w1 w2 w3 per block");
        int r = 3, hidden = TransformerConfig.defaultHidden(DIM);
        assertEquals(7L * LAYERS * r * r, AdapterSet.loraXs(targets, r, 1, new Rng(4)).trainableCount());
        assertEquals(7L * LAYERS * r * r, sb(lm, r).trainableCount());
        AdapterSet lora = AdapterSet.lora(targets, r, 2 * r, new Rng(4));
        assertEquals(LAYERS * (4L * r * (DIM + DIM) + 3L * r * (DIM + hidden)), lora.trainableCount());
        long listed = 0;
        for (Param p : lora.params()) listed += p.size();
        assertEquals(lora.trainableCount(), listed, "the count is what the optimizer gets");
        for (Adapter a : AdapterSet.loraXs(targets, r, 1, new Rng(4)).adapters()) assertEquals((long) r * r, a.trainableCount());
    }

    /**
     * Σg has the sign pattern −M with M = [[1, 1], [1, 1], [1, −1]], so ΔW = −η₁·sign(Σg) = η₁·M.
     * MᵀM = [[3, 1], [1, 3]]: singular values 2 and √2, v₁ = (1, 1)/√2, u₁ = (1, 1, 0)/√2,
     * v₂ = (1, −1)/√2, u₂ = (0, 0, 1). Rank 1 keeps 2η₁·u₁v₁ᵀ = η₁·[[1, 1], [1, 1], [0, 0]].
     */
    @Test
    void loraSbInitialisesBRAAsTheTruncatedSvdOfTheSignedAccumulatedGradient() {
        float eta = 0.1f;
        float[][] g = {{-3, -1, -2, -0.5f, -1, 4}, {1, -1, -1, 0, -2, 1}};  // sums: −2 −2 −3 −0.5 −3 5
        float[] w0 = {0.5f, -0.25f, 1, 2, -1, 0.75f};
        for (int rank = 1; rank <= 2; rank++) {
            Param w = new Param("w.weight", Param.Role.MATRIX, 3, 2);
            System.arraycopy(w0, 0, w.value(), 0, 6);
            int[] batch = {0};
            List<float[]> dw = FirstStepEstimate.of(List.of(w), () -> System.arraycopy(g[batch[0]++], 0, w.grad(), 0, 6), 2, eta);
            assertArrayEquals(new float[] {eta, eta, eta, eta, eta, -eta}, dw.get(0), 0f);
            LatentAdapter a = LatentAdapter.loraSb(w, rank, dw.get(0));
            float[] r = a.latent().value();
            assertEquals(2 * eta, r[0], 1e-6f, "R = S_r");
            if (rank == 2) {
                assertEquals((float) (Math.sqrt(2) * eta), r[3], 1e-6f);
                assertEquals(0f, r[1], 0f);
                assertEquals(0f, r[2], 0f);
            }
            float[] delta = new float[6];
            a.delta(delta);
            float[] expected = rank == 1 ? new float[] {eta, eta, eta, eta, 0, 0} : dw.get(0);
            assertArrayEquals(expected, delta, 1e-6f, "B·R·A at rank " + rank);
            a.merge();
            for (int i = 0; i < 6; i++) assertEquals(w0[i] + expected[i], w.value()[i], 1e-6f, "W₀ is not corrected: training starts at W₀ + BRA");
            a.restore();
            assertArrayEquals(w0, w.value(), 0f);
            // B = U_r, A = V_rᵀ: orthonormal
            float[] b = a.b(), at = a.a();
            assertEquals(1.0, b[0] * b[0] + b[rank] * b[rank] + b[2 * rank] * b[2 * rank], 1e-6);
            assertEquals(1.0, at[0] * at[0] + at[1] * at[1], 1e-6);
        }
    }

    @Test
    void truncatedSvdOfWideAndTallMatricesReconstructsAtFullRankWithDecreasingValues() {
        for (int[] shape : new int[][] {{3, 5}, {5, 3}}) {
            int m = shape[0], n = shape[1];
            Rng rng = new Rng(m * 10L + n);
            float[] w = new float[m * n];
            for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
            TruncatedSvd svd = TruncatedSvd.of(w, m, n, 3);
            double[] back = svd.reconstruct();
            for (int i = 0; i < w.length; i++) assertEquals(w[i], back[i], 1e-5, m + "x" + n + " entry " + i);
            assertTrue(svd.s()[0] >= svd.s()[1] && svd.s()[1] >= svd.s()[2] && svd.s()[2] > 0, java.util.Arrays.toString(svd.s()));
            // rank 1 keeps the top triplet only: its error is the energy of the other two
            double err = 0, tail = (double) svd.s()[1] * svd.s()[1] + (double) svd.s()[2] * svd.s()[2];
            double[] r1 = TruncatedSvd.of(w, m, n, 1).reconstruct();
            for (int i = 0; i < w.length; i++) err += (w[i] - r1[i]) * (w[i] - r1[i]);
            assertEquals(tail, err, 1e-4 * tail, "Eckart–Young: ‖W − W₁‖² = σ₂² + σ₃²");
        }
    }

    @Test
    void loraXsSplitsTheWeightsSvdSoThatBTimesAIsItsRankRTruncationAndRStartsNearZero() {
        TransformerLm lm = pretrained();
        Param wq = lm.params().get(1);
        LatentAdapter full = LatentAdapter.loraXs(wq, DIM, 1, new Rng(6));
        float[] ba = new float[DIM * DIM];
        dopt.tensor.Dense.matmul(full.b(), full.a(), ba, DIM, DIM, DIM);
        assertArrayEquals(wq.value(), ba, 1e-5f, "full rank: U·(S·Vᵀ) = W₀");
        for (float x : full.latent().value()) assertTrue(Math.abs(x) < 1e-4, "R ~ N(0, 1e-10): " + x);
    }

    @Test
    void trainingStepsMoveOnlyTheAdaptersAndLeaveEveryBaseWeightBitForBit() {
        for (String kind : List.of("lora", "lora-xs", "lora-sb")) {
            TransformerLm lm = pretrained();
            List<float[]> before = new ArrayList<>();
            for (Param p : lm.params()) before.add(p.value().clone());
            List<Param> targets = AdapterSet.select(lm.params(), AdapterSet.MATRICES);
            AdapterSet set = switch (kind) {
                case "lora" -> AdapterSet.lora(targets, 2, 4, new Rng(7));
                case "lora-xs" -> AdapterSet.loraXs(targets, 2, 1, new Rng(7));
                default -> sb(lm, 2);
            };
            Network<Batch.Windows> m = new Adapted<>(lm, set);
            Set<Param> baseParams = Collections.newSetFromMap(new IdentityHashMap<>());
            baseParams.addAll(lm.params());
            for (Param p : m.params()) assertTrue(!baseParams.contains(p), kind + ": " + p.name() + " is a base weight");
            List<float[]> adapterStart = new ArrayList<>();
            for (Param p : m.params()) adapterStart.add(p.value().clone());
            Optimizer opt = new Optimizer("adamw", NamedRules.build("adamw", Map.of("lr", 1e-2)), Schedule.constant(1e-2), m.params(), new StateTree());
            int[] t = tokens(8);
            float first = 0, last = 0;
            for (int step = 1; step <= 6; step++) {
                float loss = m.forwardBackward(new Batch.Windows(t, BATCH, SEQ));
                if (step == 1) first = loss;
                last = loss;
                opt.step(step);
            }
            assertTrue(last < first, kind + ": the adapters fit the batch, loss " + first + " -> " + last);
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), lm.params().get(i).value(), 0f, kind + ": " + lm.params().get(i).name());
            for (Adapter a : set.adapters()) assertArrayEquals(a.frozen(), a.base().value(), 0f);
            for (int i = 0; i < adapterStart.size(); i++) assertNotEquals(adapterStart.get(i)[0], m.params().get(i).value()[0], kind + ": " + m.params().get(i).name() + " trained");
            assertEquals(8 + 2L * 4 * set.trainableCount(), opt.stateBytes(), kind + ": the step counter and Adam's two moments of the adapters only");
        }
    }

    @Test
    void badHyperParametersAreNamed() {
        Param w = new Param("w.weight", Param.Role.MATRIX, 4, 3);
        assertThrows(IllegalArgumentException.class, () -> new LoraAdapter(w, 4, 8, new Rng(1)), "rank above min(m, n)");
        assertThrows(IllegalArgumentException.class, () -> new LoraAdapter(w, 2, Double.NaN, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> FirstStepEstimate.of(List.of(w), () -> { }, 1, 0));
        w.value()[5] = Float.NaN;
        var e = assertThrows(IllegalArgumentException.class, () -> LatentAdapter.loraXs(w, 2, 1, new Rng(1)));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        var bias = new Param("b", Param.Role.BIAS, 4);
        assertThrows(IllegalArgumentException.class, () -> new LoraAdapter(bias, 1, 1, new Rng(1)));
    }
}
