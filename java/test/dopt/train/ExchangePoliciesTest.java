package dopt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.CommTimeoutException;
import dopt.comm.Communicator;
import dopt.comm.Gathered;
import dopt.comm.InProcessCommunicator;
import dopt.compress.ErrorFeedback;
import dopt.compress.TopK;
import dopt.job.Job;
import dopt.job.JobFile;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Every exchange policy on 2 and 4 in-process thread ranks: what the ranks agree on, that replicas
 * stay bit-identical, that a malformed peer message is rejected and counted while the honest ranks
 * go on, and that a rank that never answers is named in a timeout.
 */
class ExchangePoliciesTest {
    private static final float LR = 0.1f;

    /** One rank's model: a 3x5 matrix and a bias of 5, with gradients that differ per rank and are not integers. */
    private record RankModel(List<Param> params, Optimizer optimizer, ExchangePolicy policy, StateTree state) {
        void setGradients(int rank, long step) {
            for (Param p : params) {
                Rng r = Rng.derive(7, rank, step, p.size());
                float[] g = p.grad();
                for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
            }
        }
    }

    private static RankModel model(String commJson, Communicator comm) throws Exception {
        return model(commJson, comm, "sgd");
    }

    private static RankModel model(String commJson, Communicator comm, String rule) throws Exception {
        String optimizer = rule.equals("sgd") ? "{\"name\": \"sgd\", \"momentum\": 0, \"lr\": " + LR + "}" : "{\"name\": \"" + rule + "\", \"lr\": " + LR + "}";
        Job job = JobFile.parse("{\"optimizer\": " + optimizer + ", \"comm\": " + commJson + "}", "t");
        Param w = new Param("w", Param.Role.MATRIX, 3, 5), b = new Param("b", Param.Role.BIAS, 5);
        for (Param p : List.of(w, b)) for (int i = 0; i < p.size(); i++) p.value()[i] = 0.01f * i + 0.5f;
        List<Param> params = List.of(w, b);
        StateTree state = new StateTree();
        Optimizer opt = new Optimizer(rule, NamedRules.build(rule, Map.of("lr", (double) LR)), Schedule.constant(LR), params, state);
        ExchangePolicy policy = ExchangePolicies.forJob(job, comm, Rng.derive(1, comm.rank()), params, opt, state, null);
        return new RankModel(params, opt, policy, state);
    }

    private static float[] values(List<Param> params) {
        float[] f = new float[Flat.length(params)];
        Flat.gather(params, Flat.VALUE, f);
        return f;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void theDenseMeanAppliesTheRankOrderedMeanGradientOnEveryRank(int ranks) throws Exception {
        List<float[]> after = InProcessCommunicator.run(ranks, 10_000, comm -> {
            RankModel m = model("{}", comm);
            m.setGradients(comm.rank(), 1);
            StepOutcome o = m.policy().step(1, 1f + comm.rank(), false, UpdateGuard.NONE);
            assertTrue(o.agreed);
            assertEquals(1f + (ranks - 1) / 2f, o.agreedLoss, 1e-6f, "the mean of the ranks' losses");
            return values(m.params());
        });
        // by hand: the sum in rank order, scaled by 1/ranks, then x += g * (-lr)
        RankModel ref = model("{}", new dopt.comm.LocalCommunicator());
        int n = Flat.length(ref.params());
        float[] sum = new float[n], g = new float[n];
        for (int r = 0; r < ranks; r++) {
            ref.setGradients(r, 1);
            Flat.gather(ref.params(), Flat.GRAD, g);
            for (int i = 0; i < n; i++) sum[i] += g[i];
        }
        float[] x = values(ref.params());
        for (int i = 0; i < n; i++) x[i] += (sum[i] * (1f / ranks)) * -LR;
        for (float[] v : after) assertArrayEquals(x, v, 0f, "every replica holds the hand-computed step, bit for bit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"compressor\": \"topk\", \"ratio\": 0.3, \"error_feedback\": \"ef21\"}",
            "{\"compressor\": \"qsgd\", \"levels\": 4}", "{\"compressor\": \"sign\", \"error_feedback\": \"ef14\"}",
            "{\"compressor\": \"powersgd\", \"rank\": 1, \"error_feedback\": \"ef14\"}", "{\"local_steps\": 2}"})
    void everyPolicyKeepsReplicasBitIdenticalAtItsAgreedStepsOnTwoAndFourRanks(String commJson) throws Exception {
        for (int ranks : new int[] {2, 4}) {
            List<float[]> after = InProcessCommunicator.run(ranks, 10_000, comm -> {
                RankModel m = model(commJson, comm);
                for (long s = 1; s <= 6; s++) {
                    m.setGradients(comm.rank(), s);
                    StepOutcome o = m.policy().step(s, 1f, false, UpdateGuard.NONE);
                    assertEquals(!commJson.contains("local_steps") || s % 2 == 0, o.agreed, "step " + s);
                }
                return values(m.params());
            });
            for (int r = 1; r < ranks; r++) assertArrayEquals(after.get(0), after.get(r), 0f, commJson + " rank " + r + " of " + ranks);
        }
    }

    @Test
    void localStepsLetReplicasDriftBetweenAveragesAndAverageThemExactly() throws Exception {
        List<float[][]> seen = InProcessCommunicator.run(2, 10_000, comm -> {
            RankModel m = model("{\"local_steps\": 2}", comm);
            m.setGradients(comm.rank(), 1);
            assertFalse(m.policy().step(1, 1f, false, UpdateGuard.NONE).agreed);
            float[] drifted = values(m.params());
            m.setGradients(comm.rank(), 2);
            assertTrue(m.policy().step(2, 1f, false, UpdateGuard.NONE).agreed);
            return new float[][] {drifted, values(m.params())};
        });
        assertNotEquals(seen.get(0)[0][0], seen.get(1)[0][0], "after one local step the ranks differ");
        assertArrayEquals(seen.get(0)[1], seen.get(1)[1], 0f, "after the average they agree");
    }

    @Test
    void averagingThePreconditionerMakesTheSecondMomentsAgreeAndOnlyThen() throws Exception {
        for (boolean average : new boolean[] {true, false}) {
            List<float[]> nu = InProcessCommunicator.run(2, 10_000, comm -> {
                RankModel m = model("{\"local_steps\": 2" + (average ? ", \"average_preconditioner\": true" : "") + "}", comm, "adam");
                for (long s = 1; s <= 2; s++) {
                    m.setGradients(comm.rank(), s);
                    m.policy().step(s, 1f, false, UpdateGuard.NONE);
                }
                List<float[]> moments = m.optimizer().preconditionerState();
                assertEquals(2, moments.size(), "Adam's ν for w and b");
                return moments.get(0).clone();
            });
            if (average) assertArrayEquals(nu.get(0), nu.get(1), 0f, "ν averaged at the sync");
            else assertNotEquals(nu.get(0)[0], nu.get(1)[0], "each rank's own ν");
        }
    }

    @Test
    void aMalformedMessageIsRejectedCountedAndLeftOutOfTheHonestMean() throws Exception {
        // rank 3 sends garbage in place of its TopK message; ratio 1 keeps every coordinate, so the
        // honest mean is checkable by hand: Σ (1/3)·g_r over ranks 0..2, in rank order
        String commJson = "{\"compressor\": \"topk\", \"ratio\": 1.0}";
        List<float[]> after = InProcessCommunicator.run(4, 10_000, comm -> {
            Communicator c = comm.rank() == 3 ? new Garbling(comm) : comm;
            RankModel m = model(commJson, c);
            m.setGradients(comm.rank(), 1);
            StepOutcome o = m.policy().step(1, 1f, false, UpdateGuard.NONE);
            assertEquals(1, o.rejected, "one message rejected on rank " + comm.rank());
            return values(m.params());
        });
        RankModel ref = model("{}", new dopt.comm.LocalCommunicator());
        int n = Flat.length(ref.params());
        float[] mean = new float[n], g = new float[n];
        for (int r = 0; r < 3; r++) {
            ref.setGradients(r, 1);
            Flat.gather(ref.params(), Flat.GRAD, g);
            for (int i = 0; i < n; i++) mean[i] += g[i] * (1f / 3);
        }
        float[] x = values(ref.params());
        for (int i = 0; i < n; i++) x[i] += mean[i] * -LR;
        for (int r = 0; r < 4; r++) assertArrayEquals(x, after.get(r), 0f, "rank " + r + " applied the mean of the three valid messages");
    }

    @Test
    void aRankThatNeverAnswersIsNamedInATimeout() {
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(2, 300, comm -> {
            if (comm.rank() == 1) return null; // never calls the collective
            RankModel m = model("{}", comm);
            m.setGradients(0, 1);
            m.policy().step(1, 1f, false, UpdateGuard.NONE);
            return null;
        }));
        assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
    }

    @Test
    void aVetoedUpdateIsNotApplied() throws Exception {
        RankModel m = model("{}", new dopt.comm.LocalCommunicator());
        float[] before = values(m.params());
        m.setGradients(0, 1);
        StepOutcome o = m.policy().step(1, Float.NaN, false, new DivergenceGuard(new double[] {Double.NaN}));
        assertTrue(o.veto.startsWith("non-finite loss"), o.veto);
        assertArrayEquals(before, values(m.params()), 0f);
    }

    /**
     * The names map to their methods (one factory for jobs and the client experiments): decoding the
     * mean message (3, 4) twice, EF14 passes it through, EF21 accumulates it into (6, 8), ‖EF21‖
     * normalises that to (0.6, 0.8); "none" is no error feedback.
     */
    @Test
    void errorFeedbackNamesBuildTheirMethods() {
        assertNull(ExchangePolicies.errorFeedback(Job.ErrorFeedbackName.NONE, new TopK(1.0)));
        Map<Job.ErrorFeedbackName, float[]> expected = Map.of(Job.ErrorFeedbackName.EF14, new float[] {3f, 4f},
                Job.ErrorFeedbackName.EF21, new float[] {6f, 8f}, Job.ErrorFeedbackName.EF21_NORMALIZED, new float[] {0.6f, 0.8f});
        for (Map.Entry<Job.ErrorFeedbackName, float[]> e : expected.entrySet()) {
            ErrorFeedback ef = ExchangePolicies.errorFeedback(e.getKey(), new TopK(1.0));
            ef.init(2, new StateTree(), "rank", "shared");
            float[] direction = new float[2];
            ef.decode(new float[] {3f, 4f}, direction);
            ef.decode(new float[] {3f, 4f}, direction);
            assertArrayEquals(e.getValue(), direction, 1e-7f, e.getKey().toString());
        }
    }

    /** A rank whose byte messages arrive as garbage: a real fault on the wire, below the policy. */
    private static final class Garbling implements Communicator {
        private final Communicator inner;

        Garbling(Communicator inner) { this.inner = inner; }

        @Override public Gathered allgatherBytes(byte[] mine, int maxBytes) {
            byte[] bad = new byte[Math.max(3, mine.length / 2)];
            for (int i = 0; i < bad.length; i++) bad[i] = (byte) (0x7f - i);
            return inner.allgatherBytes(bad, maxBytes);
        }
        @Override public void send(int to, byte[] msg) { inner.send(to, msg); }
        @Override public byte[] recv(int from, int maxBytes) { return inner.recv(from, maxBytes); }
        @Override public byte[][] gatherBytes(byte[] mine, int root, int maxBytes) { return inner.gatherBytes(mine, root, maxBytes); }
        @Override public byte[] broadcastBytes(byte[] msg, int root, int maxBytes) { return inner.broadcastBytes(msg, root, maxBytes); }
        @Override public int rank() { return inner.rank(); }
        @Override public int size() { return inner.size(); }
        @Override public void allreduceSum(float[] buf, int off, int len) { inner.allreduceSum(buf, off, len); }
        @Override public void broadcast(float[] buf, int off, int len, int root) { inner.broadcast(buf, off, len, root); }
        @Override public void allgather(float[] send, int sendOff, int count, float[] recv, int recvOff) { inner.allgather(send, sendOff, count, recv, recvOff); }
        @Override public void reduceScatterSum(float[] buf, int off, int len) { inner.reduceScatterSum(buf, off, len); }
        @Override public void barrier() { inner.barrier(); }
        @Override public long bytesSent() { return inner.bytesSent(); }
        @Override public long bytesReceived() { return inner.bytesReceived(); }
        @Override public long timeoutMillis() { return inner.timeoutMillis(); }
        @Override public void close() { inner.close(); }
    }
}
