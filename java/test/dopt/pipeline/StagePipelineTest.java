package dopt.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.CommTimeoutException;
import dopt.comm.Communicator;
import dopt.comm.InProcessCommunicator;
import dopt.compress.TopK;
import dopt.nn.Mlp;
import dopt.nn.MlpStage;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The main test: a k-stage pipeline of the MLP on k thread ranks, without compression, gives
 * the unsplit MLP's loss and gradients.
 */
class StagePipelineTest {
    private static final int[] HIDDEN = {12, 10, 9};
    private static final int IN = 8, CLASSES = 4, BATCH = 16;

    /**
     * One micro-batch: every operation is the unsplit model's, in its order, so loss and gradients
     * are bit-identical, for 2 and 4 stages and both schedules.
     */
    @Test
    void oneMicroBatchIsBitExactWithTheUnsplitMlp() throws Exception {
        Reference ref = reference();
        for (int k : new int[] {2, 4})
            for (Schedule s : Schedule.values()) {
                Result r = pipelined(k, 1, s, rows -> null);
                assertEquals(Float.floatToRawIntBits(ref.loss), Float.floatToRawIntBits(r.loss), k + " stages " + s);
                for (int p = 0; p < ref.grads.size(); p++)
                    for (int i = 0; i < ref.grads.get(p).length; i++)
                        assertEquals(Float.floatToRawIntBits(ref.grads.get(p)[i]), Float.floatToRawIntBits(r.grads.get(p)[i]),
                                k + " stages " + s + ": " + r.names.get(p) + "[" + i + "]");
            }
    }

    /**
     * m = 4 micro-batches of 4 rows: each micro-batch's gradient is a sum over its 4 rows scaled by
     * 1/4, the four are added and scaled by 1/4, where the unsplit model sums 16 rows scaled by 1/16
     * (and the loss is a mean of four float means). Float reassociation of 16 terms moves each sum by
     * a few ulps of the largest partial sum, so every gradient entry must agree to 1e-6 of its
     * parameter's largest gradient magnitude (float epsilon 1.2e-7 times a handful of roundings),
     * and the loss to 1e-6 relative. Both schedules give the same bits (same accumulation order).
     */
    @Test
    void microBatchesAgreeToFloatReassociationAndTheSchedulesAgreeExactly() throws Exception {
        Reference ref = reference();
        for (int k : new int[] {2, 4}) {
            Result gpipe = pipelined(k, 4, Schedule.GPIPE, rows -> null);
            Result oneF = pipelined(k, 4, Schedule.ONE_F_ONE_B, rows -> null);
            assertEquals(ref.loss, gpipe.loss, 1e-6 * Math.abs(ref.loss));
            for (int p = 0; p < ref.grads.size(); p++) {
                float[] want = ref.grads.get(p), got = gpipe.grads.get(p);
                float scale = 0;
                for (float v : want) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-6 * scale, k + " stages: " + gpipe.names.get(p) + "[" + i + "]");
                    assertEquals(Float.floatToRawIntBits(got[i]), Float.floatToRawIntBits(oneF.grads.get(p)[i]), "GPipe vs 1F1B");
                }
            }
            assertEquals(Float.floatToRawIntBits(gpipe.loss), Float.floatToRawIntBits(oneF.loss));
        }
    }

    /** TopK keeping every entry changes nothing: the compressed wire round-trips the vectors exactly. */
    @Test
    void topKOfEverythingOnBothWiresIsTheDensePipeline() throws Exception {
        Result dense = pipelined(4, 2, Schedule.ONE_F_ONE_B, rows -> null);
        Result full = pipelined(4, 2, Schedule.ONE_F_ONE_B, n -> new CompressedCodec(new TopK(1.0), n, new Rng(1), new StateTree(), null));
        assertEquals(Float.floatToRawIntBits(dense.loss), Float.floatToRawIntBits(full.loss));
        for (int p = 0; p < dense.grads.size(); p++)
            for (int i = 0; i < dense.grads.get(p).length; i++) assertEquals(dense.grads.get(p)[i], full.grads.get(p)[i], 0f);
    }

    /**
     * TopK 10 % on both wires: the messages have exactly 8 bytes per kept entry, which the stages
     * count, and the gradients differ from the dense ones (the compression is really applied).
     */
    @Test
    void topKOnTheWireSendsExactlyItsBytes() throws Exception {
        Result dense = pipelined(2, 2, Schedule.GPIPE, rows -> null);
        Result topk = pipelined(2, 2, Schedule.GPIPE, n -> new CompressedCodec(new TopK(0.1), n, new Rng(1), new StateTree(), null));
        int n = (BATCH / 2) * HIDDEN[1]; // two stages cut at layer 2: 10 wide, 8 rows per micro-batch
        long perMessage = 8L * Math.round(0.1 * n);
        // two steps of two micro-batches: four messages each way
        assertEquals(4 * perMessage, topk.activationBytes[0]);
        assertEquals(4 * perMessage, topk.gradientBytes[1]);
        assertEquals(0, topk.gradientBytes[0] + topk.activationBytes[1]);
        assertEquals(4 * 4L * n, dense.activationBytes[0]);
        boolean differs = false;
        for (int p = 0; p < dense.grads.size(); p++)
            for (int i = 0; i < dense.grads.get(p).length; i++) differs |= dense.grads.get(p)[i] != topk.grads.get(p)[i];
        assertTrue(differs);
    }

    /** A stage rank that never answers ends its neighbour's step with the timeout error naming it. */
    @Test
    void aDeadStageRankEndsTheStepWithATimeoutNamingIt() {
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(2, 300, comm -> {
            if (comm.rank() == 1) {
                Thread.sleep(5_000); // dead: never receives nor sends (woken when rank 0 fails)
                return null;
            }
            return build(comm, 2, 1, Schedule.GPIPE, rows -> null).step(batch().x, batch().y);
        }));
        assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
    }

    // ---- helpers

    private record Batch(float[] x, int[] y) { }

    private record Reference(float loss, List<float[]> grads) { }

    private record Result(float loss, List<String> names, List<float[]> grads, long[] activationBytes, long[] gradientBytes) { }

    private static Batch batch() {
        Rng r = new Rng(21);
        float[] x = new float[BATCH * IN];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] y = new int[BATCH];
        for (int i = 0; i < BATCH; i++) y[i] = r.nextInt(CLASSES);
        return new Batch(x, y);
    }

    private static int[] widths() {
        int[] w = new int[HIDDEN.length + 2];
        w[0] = IN;
        System.arraycopy(HIDDEN, 0, w, 1, HIDDEN.length);
        w[w.length - 1] = CLASSES;
        return w;
    }

    private static Reference reference() {
        Mlp mlp = new Mlp(IN, HIDDEN, CLASSES, BATCH);
        mlp.init(new Rng(9));
        Batch b = batch();
        float loss = mlp.forwardBackward(b.x, b.y, BATCH);
        List<float[]> g = new ArrayList<>();
        for (Param p : mlp.params()) g.add(p.grad().clone());
        return new Reference(loss, g);
    }

    /** {@code codec}: the codec of a link of n floats (both wires, both ends), or null for the dense wire. */
    private static StagePipeline build(Communicator comm, int k, int m, Schedule s, IntFunction<WireCodec> codec) {
        int i = comm.rank(), rows = BATCH / m;
        int[] starts = k == 2 ? new int[] {0, 2} : new int[] {0, 1, 2, 3};
        MlpStage stage = MlpStage.of(widths(), starts, i, rows, s.slots(i, k, m));
        stage.init(new Rng(9));
        IntFunction<WireCodec> wire = n -> {
            WireCodec c = codec.apply(n);
            return c != null ? c : new DenseCodec(n);
        };
        int in = rows * stage.inputWidth(), out = rows * stage.outputWidth();
        return new StagePipeline(comm, i, k, stage, s, m, rows,
                i > 0 ? wire.apply(in) : null, i < k - 1 ? wire.apply(out) : null,
                i < k - 1 ? wire.apply(out) : null, i > 0 ? wire.apply(in) : null);
    }

    @SuppressWarnings("unchecked")
    private static Result pipelined(int k, int m, Schedule s, IntFunction<WireCodec> codec) throws Exception {
        Batch b = batch();
        List<Object[]> perRank = InProcessCommunicator.run(k, 10_000, comm -> {
            StagePipeline p = build(comm, k, m, s, codec);
            p.step(b.x, b.y);
            // the second step on the same batch must give the same gradients: nothing carried over from the first
            float loss = p.step(b.x, b.y);
            return new Object[] {loss, p.params(), p.activationBytesSent(), p.gradientBytesSent()};
        });
        List<String> names = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        long[] act = new long[k], grad = new long[k];
        for (int i = 0; i < k; i++) {
            for (Param p : (List<Param>) perRank.get(i)[1]) {
                names.add(p.name());
                grads.add(p.grad().clone());
            }
            act[i] = (long) perRank.get(i)[2];
            grad[i] = (long) perRank.get(i)[3];
        }
        return new Result((float) perRank.get(k - 1)[0], names, grads, act, grad);
    }
}
