package dopt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.aggregate.NamedAggregation;
import dopt.aggregate.RobustAggregator;
import dopt.comm.InProcessCommunicator;
import dopt.random.Rng;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Robust gradient agreement on 4 thread ranks, one of them Byzantine: it sends through the same collective. */
class RobustMeanTest {
    private static final int D = 7;

    /** Rank r's honest gradient: non-integer values, different per rank. */
    private static float[] gradient(int r) {
        Rng rng = Rng.derive(11, r);
        float[] g = new float[D];
        for (int i = 0; i < D; i++) g[i] = (float) rng.nextGaussian();
        return g;
    }

    /** A bit-flip attacker that also scales: every float negated and multiplied by 100. */
    private static final UnaryOperator<byte[]> FLIP_100 = m -> {
        ByteBuffer b = ByteBuffer.wrap(m.clone()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < m.length / 4; i++) b.putFloat(4 * i, -100f * b.getFloat(4 * i));
        return b.array();
    };

    private static List<float[]> agree(String rule, UnaryOperator<byte[]> byzantine, int[] rejected) throws Exception {
        return InProcessCommunicator.run(4, 10_000, comm -> {
            RobustAggregator agg = new RobustAggregator(4, D, List.of(), NamedAggregation.rule(rule, rule.equals("trimmed_mean") ? Map.of("f", 1) : Map.of(), 4, D));
            RobustMean m = new RobustMean(comm, D, agg, comm.rank() == 3 ? byzantine : UnaryOperator.identity());
            float[] flat = Arrays.copyOf(gradient(comm.rank()), D + 2);
            flat[D] = 1f;
            int r = m.combine(flat, D);
            if (comm.rank() == 0) rejected[0] = r;
            return Arrays.copyOf(flat, D);
        });
    }

    @Test
    void theHonestRanksAgreeOnTheCoordinateMedianDespiteAFlippingRank() throws Exception {
        List<float[]> out = agree("median", FLIP_100, new int[1]);
        // by hand: per coordinate the median of the 3 honest values and the attacker's -100 g3, even n = 4:
        // the mean of the two middle values
        float[] expected = new float[D];
        for (int i = 0; i < D; i++) {
            float[] col = {gradient(0)[i], gradient(1)[i], gradient(2)[i], -100f * gradient(3)[i]};
            Arrays.sort(col);
            expected[i] = (col[1] + col[2]) / 2;
        }
        for (float[] o : out) assertArrayEquals(expected, o, 1e-6f, "every rank, the Byzantine one included, holds the median");
        for (int r = 1; r < 4; r++) assertArrayEquals(out.get(0), out.get(r), 0f, "bit-identical replicas");
        for (int i = 0; i < D; i++) {
            float lo = Math.min(gradient(0)[i], Math.min(gradient(1)[i], gradient(2)[i]));
            float hi = Math.max(gradient(0)[i], Math.max(gradient(1)[i], gradient(2)[i]));
            assertTrue(expected[i] >= lo && expected[i] <= hi, "the median stays within the honest values at " + i);
        }
    }

    @Test
    void thePlainMeanIsPoisonedByTheSameRank() throws Exception {
        float[] poisoned = agree("mean", FLIP_100, new int[1]).get(0);
        float honest = (gradient(0)[0] + gradient(1)[0] + gradient(2)[0]) / 3;
        assertTrue(Math.abs(poisoned[0] - honest) > 10 * Math.abs(honest), "mean " + poisoned[0] + " vs honest " + honest);
    }

    @Test
    void aNonFiniteOrShortMessageIsRejectedCountedAndLeftOut() throws Exception {
        for (UnaryOperator<byte[]> bad : List.<UnaryOperator<byte[]>>of(
                m -> { byte[] c = m.clone(); ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putFloat(8, Float.NaN); return c; },
                m -> Arrays.copyOf(m, m.length - 4))) {
            int[] rejected = new int[1];
            List<float[]> out = agree("trimmed_mean", bad, rejected);
            assertEquals(1, rejected[0], "one row rejected");
            // trimmed mean with f = 1 over the 3 valid rows: the middle value of each coordinate
            for (int i = 0; i < D; i++) {
                float[] col = {gradient(0)[i], gradient(1)[i], gradient(2)[i]};
                Arrays.sort(col);
                assertEquals(col[1], out.get(0)[i], 1e-6f);
            }
        }
    }

    /** 5 ranks, ranks 3 and 4 Byzantine: each forges its message from the 3 honest gradients it received first. */
    private static List<float[]> withByzantineRanks(String rule, Map<String, Object> hp, ByzantineRanks.Kind kind, String attack,
                                                   int[] rejected) throws Exception {
        return InProcessCommunicator.run(5, 10_000, comm -> {
            RobustAggregator agg = new RobustAggregator(5, D, List.of(), NamedAggregation.rule(rule, hp, 5, D));
            ByzantineRanks byz = new ByzantineRanks(5, new int[] {3, 4}, kind,
                    attack == null ? null : NamedAggregation.attack(attack, Map.of(), D), Rng.derive(5, comm.rank()), D);
            RobustMean m = new RobustMean(comm, D, agg, byz);
            float[] flat = Arrays.copyOf(gradient(comm.rank()), D + 2);
            int r = m.combine(flat, D);
            if (comm.rank() == 0) rejected[0] = r;
            return Arrays.copyOf(flat, D);
        });
    }

    @Test
    void byzantineRanksForgeASignFlipFromTheHonestGradientsTheyReceived() throws Exception {
        // sign_flip: both Byzantine rows are -mean(H); the plain mean of the 5 rows is then
        // (3·mean(H) − 2·mean(H)) / 5 = mean(H) / 5, by hand
        List<float[]> mean = withByzantineRanks("mean", Map.of(), ByzantineRanks.Kind.ATTACK, "sign_flip", new int[1]);
        for (int i = 0; i < D; i++) {
            double m = (gradient(0)[i] + gradient(1)[i] + gradient(2)[i]) / 3.0;
            assertEquals(m / 5, mean.get(0)[i], 1e-5, "coordinate " + i);
        }
        // the trimmed mean with f = 2 drops the two smallest and two largest: the middle of the five values
        List<float[]> trimmed = withByzantineRanks("trimmed_mean", Map.of("f", 2), ByzantineRanks.Kind.ATTACK, "sign_flip", new int[1]);
        for (int i = 0; i < D; i++) {
            float m = (float) ((gradient(0)[i] + gradient(1)[i] + gradient(2)[i]) / 3.0);
            float[] col = {gradient(0)[i], gradient(1)[i], gradient(2)[i], -m, -m};
            Arrays.sort(col);
            assertEquals(col[2], trimmed.get(0)[i], 1e-6f, "coordinate " + i);
        }
        for (int r = 1; r < 5; r++) assertArrayEquals(trimmed.get(0), trimmed.get(r), 0f, "every rank holds the same aggregate");
    }

    @Test
    void byzantineRanksSendingGarbageAreRejectedOnEveryRank() throws Exception {
        int[] rejected = new int[1];
        List<float[]> out = withByzantineRanks("median", Map.of(), ByzantineRanks.Kind.GARBAGE, null, rejected);
        assertEquals(2, rejected[0], "both malformed messages rejected");
        for (int i = 0; i < D; i++) {
            float[] col = {gradient(0)[i], gradient(1)[i], gradient(2)[i]};
            Arrays.sort(col);
            assertEquals(col[1], out.get(0)[i], 0f, "the median of the three honest rows");
        }
        for (int r = 1; r < 5; r++) assertArrayEquals(out.get(0), out.get(r), 0f);
    }

    @Test
    void underPartialParticipationOnlyTheSampledRowsAreAggregatedEachClippedByTheReceiver() throws Exception {
        // ranks 0, 1 and 3 take part; rank 3 sends -100 g3 (bit flip x 100); every row is clipped to radius 0.5
        boolean[] part = {true, true, false, true};
        double radius = 0.5;
        int[] rejected = new int[1];
        List<float[]> out = InProcessCommunicator.run(4, 10_000, comm -> {
            RobustAggregator agg = new RobustAggregator(4, D, List.of(), NamedAggregation.rule("mean", Map.of(), 4, D));
            RobustMean m = new RobustMean(comm, D, agg, comm.rank() == 3 ? FLIP_100 : UnaryOperator.identity());
            float[] flat = Arrays.copyOf(gradient(comm.rank()), D + 2);
            flat[D] = 1f + comm.rank();
            int r = m.exchange(flat, D, part, radius);
            if (comm.rank() == 0) rejected[0] = r;
            return Arrays.copyOf(flat, D + 1);
        });
        assertEquals(0, rejected[0], "a rank that does not take part is not a rejected one");
        // by hand: clip(v) = v min(1, 0.5/|v|), then the mean of the three clipped rows (rank 2's never read)
        float[][] clipped = {gradient(0), gradient(1), gradient(3)};
        for (int i = 0; i < D; i++) clipped[2][i] *= -100f;
        double[] expected = new double[D];
        for (float[] row : clipped) {
            double norm = 0;
            for (float v : row) norm += (double) v * v;
            norm = Math.sqrt(norm);
            for (int i = 0; i < D; i++) expected[i] += row[i] * Math.min(1, radius / norm) / 3;
        }
        double outNorm = 0;
        for (int i = 0; i < D; i++) {
            assertEquals(expected[i], out.get(0)[i], 1e-6, "coordinate " + i);
            outNorm += (double) out.get(0)[i] * out.get(0)[i];
        }
        assertTrue(Math.sqrt(outNorm) <= radius + 1e-6, "the attacker moved the aggregate by at most the radius");
        for (int r = 1; r < 4; r++) assertArrayEquals(out.get(0), out.get(r), 0f, "every rank, the idle one included, holds it");
        assertEquals(2.5f, out.get(0)[D], 0f, "the median of the four losses {1, 2, 3, 4}: every rank's loss still counts");
    }

    @Test
    void oneRankCanNeitherFakeTheLossNorStopTheRun() throws Exception {
        List<float[]> out = InProcessCommunicator.run(5, 10_000, comm -> {
            RobustAggregator agg = new RobustAggregator(5, D, List.of(), NamedAggregation.rule("median", Map.of(), 5, D));
            RobustMean m = new RobustMean(comm, D, agg, UnaryOperator.identity());
            float[] flat = Arrays.copyOf(gradient(comm.rank()), D + 2);
            flat[D] = comm.rank() == 4 ? 1e30f : 1f + comm.rank(); // losses 1, 2, 3, 4 and one absurd
            flat[D + 1] = comm.rank() == 4 || comm.rank() == 3 ? 1f : 0f; // two of five vote to stop
            m.combine(flat, D);
            return new float[] {flat[D], flat[D + 1]};
        });
        for (float[] o : out) {
            assertEquals(3f, o[0], 0f, "the median loss of {1, 2, 3, 4, 1e30}");
            assertEquals(0f, o[1], 0f, "two votes of five do not stop the run");
        }
    }
}
