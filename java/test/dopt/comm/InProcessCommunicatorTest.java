package dopt.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The thread-rank communicator keeps {@link MpjCommunicator}'s contract: sums in rank order with
 * the same bits on every rank, deadlines that name the rank waited for, and ring byte counts.
 * Values are Gaussian, so a sum taken in another order would show in the low bits.
 */
class InProcessCommunicatorTest {
    private static final int[] LENGTHS = {1, 2, 3, 7, 1000, 4097};

    private static float[] values(int rank, int len) {
        Rng rng = Rng.derive(11 + len, rank);
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    /** The sum every rank must hold: ranks added in order 0, 1, ..., n-1. */
    private static float[] rankOrderSum(int n, int len) {
        float[] s = values(0, len);
        for (int q = 1; q < n; q++) {
            float[] x = values(q, len);
            for (int i = 0; i < len; i++) s[i] += x[i];
        }
        return s;
    }

    private static void assertBitsEqual(float[] expect, float[] actual, String what) {
        assertEquals(expect.length, actual.length, what);
        for (int i = 0; i < expect.length; i++)
            assertEquals(Float.floatToRawIntBits(expect[i]), Float.floatToRawIntBits(actual[i]), what + " [" + i + "]");
    }

    @Test
    void theValuesAreOrderSensitiveSoTheSumTestsCanFail() {
        int n = 4, len = 4097, differ = 0;
        float[] forward = rankOrderSum(n, len), backward = values(n - 1, len);
        for (int q = n - 2; q >= 0; q--) {
            float[] x = values(q, len);
            for (int i = 0; i < len; i++) backward[i] += x[i];
        }
        for (int i = 0; i < len; i++) if (forward[i] != backward[i]) differ++;
        assertTrue(differ > 0, "summing in reverse rank order changed no element");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void allreduceSumsInRankOrderOnEveryRank(int n) throws Exception {
        List<float[][]> results = InProcessCommunicator.run(n, 10_000, c -> {
            float[][] out = new float[LENGTHS.length][];
            for (int k = 0; k < LENGTHS.length; k++) {
                // an offset, so a rank that ignores it would read the wrong elements
                float[] mine = values(c.rank(), LENGTHS[k]), buf = new float[LENGTHS[k] + 5];
                System.arraycopy(mine, 0, buf, 3, mine.length);
                c.allreduceSum(buf, 3, mine.length);
                out[k] = Arrays.copyOfRange(buf, 3, 3 + mine.length);
                assertEquals(0f, buf[0] + buf[1] + buf[2] + buf[buf.length - 2] + buf[buf.length - 1], "outside the range");
            }
            return out;
        });
        for (int k = 0; k < LENGTHS.length; k++) {
            float[] expect = rankOrderSum(n, LENGTHS[k]);
            for (int r = 0; r < n; r++) assertBitsEqual(expect, results.get(r)[k], "rank " + r + " len " + LENGTHS[k]);
        }
    }

    @Test
    void allreduceMeanScalesTheRankOrderSum() throws Exception {
        int n = 4, len = 1000;
        List<float[]> results = InProcessCommunicator.run(n, 10_000, c -> {
            float[] buf = values(c.rank(), len);
            c.allreduceMean(buf, 0, len);
            return buf;
        });
        float[] expect = rankOrderSum(n, len);
        for (int i = 0; i < len; i++) expect[i] *= 1f / n;
        for (int r = 0; r < n; r++) assertBitsEqual(expect, results.get(r), "rank " + r);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void reduceScatterLeavesEachRankItsBlockOfTheSum(int n) throws Exception {
        int len = 4097;
        List<float[]> results = InProcessCommunicator.run(n, 10_000, c -> {
            float[] buf = values(c.rank(), len);
            c.reduceScatterSum(buf, 0, len);
            return buf;
        });
        float[] expect = rankOrderSum(n, len);
        for (int r = 0; r < n; r++) {
            int lo = Communicator.blockStart(len, n, r), hi = Communicator.blockStart(len, n, r + 1);
            assertBitsEqual(Arrays.copyOfRange(expect, lo, hi), Arrays.copyOfRange(results.get(r), lo, hi), "rank " + r);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void broadcastAndAllgatherCopyExactly(int n) throws Exception {
        int len = 7, root = n - 1;
        List<float[][]> results = InProcessCommunicator.run(n, 10_000, c -> {
            float[] bc = c.rank() == root ? values(root, len) : new float[len];
            c.broadcast(bc, 0, len, root);
            float[] all = new float[n * len];
            c.allgather(values(c.rank(), len), 0, len, all, 0);
            return new float[][] {bc, all};
        });
        for (int r = 0; r < n; r++) {
            assertBitsEqual(values(root, len), results.get(r)[0], "broadcast on rank " + r);
            for (int q = 0; q < n; q++)
                assertBitsEqual(values(q, len), Arrays.copyOfRange(results.get(r)[1], q * len, (q + 1) * len),
                        "allgather of rank " + q + " on rank " + r);
        }
    }

    @Test
    void allgatherBytesDeliversRaggedMessagesInRankOrder() throws Exception {
        int n = 4;
        List<byte[][]> results = InProcessCommunicator.run(n, 10_000, c -> {
            byte[] mine = new byte[c.rank() % 2 == 0 ? 0 : c.rank() + 3];
            Arrays.fill(mine, (byte) c.rank());
            return c.allgatherBytes(mine);
        });
        for (int r = 0; r < n; r++)
            for (int q = 0; q < n; q++) {
                byte[] expect = new byte[q % 2 == 0 ? 0 : q + 3];
                Arrays.fill(expect, (byte) q);
                assertArrayEquals(expect, results.get(r)[q], "rank " + r + " got from " + q);
            }
    }

    @Test
    void bytesAreCountedAsTheMpjRingCountsThem() throws Exception {
        int n = 4, len = 1000;
        List<long[]> counts = InProcessCommunicator.run(n, 10_000, c -> {
            float[] buf = values(c.rank(), len);
            c.allreduceSum(buf, 0, len);
            long[] afterAllreduce = {c.bytesSent(), c.bytesReceived()};
            c.broadcast(buf, 0, len, 0);
            c.allgatherBytes(new byte[c.rank()]);
            return new long[] {afterAllreduce[0], afterAllreduce[1], c.bytesSent(), c.bytesReceived()};
        });
        long ring = 4L * 2 * (n - 1) * (len / n);
        for (int r = 0; r < n; r++) {
            long[] k = counts.get(r);
            assertEquals(ring, k[0], "allreduce sent on rank " + r);
            assertEquals(ring, k[1], "allreduce received on rank " + r);
            long bcastSent = r == 0 ? 4L * len * (n - 1) : 0, bcastReceived = r == 0 ? 0 : 4L * len;
            assertEquals(ring + bcastSent + (n - 1) * (4L + r), k[2], "total sent on rank " + r);
            long gatheredIn = 4L * (n - 1) + (0 + 1 + 2 + 3) - r;
            assertEquals(ring + bcastReceived + gatheredIn, k[3], "total received on rank " + r);
        }
    }

    @Test
    void aRankThatNeverCallsMakesTheOthersTimeOutNamingIt() {
        long start = System.nanoTime();
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(2, 200, c -> {
            if (c.rank() == 1) Thread.sleep(60_000);
            else c.allreduceSum(new float[] {0.5f}, 0, 1);
            return null;
        }));
        assertTrue(e.getMessage().contains("waiting for rank 1 "), e.getMessage());
        assertTrue(e.getMessage().startsWith("rank 0: allreduce"), e.getMessage());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 30, "took " + seconds + " s for a 0.2 s deadline (the silent rank sleeps 60 s)");
    }

    @Test
    void aTimeoutNamesEveryMissingRank() {
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(4, 200, c -> {
            if (c.rank() >= 2) Thread.sleep(60_000);
            else c.barrier();
            return null;
        }));
        assertTrue(e.getMessage().contains("waiting for rank 2, 3 "), e.getMessage());
    }

    @Test
    void aMissingAllgatherBytesSenderIsNamed() {
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(3, 200, c -> {
            if (c.rank() == 2) Thread.sleep(60_000);
            else c.allgatherBytes(new byte[] {1});
            return null;
        }));
        assertTrue(e.getMessage().contains("waiting for rank 2 "), e.getMessage());
    }

    @Test
    void theFirstFailureIsRethrownAndReleasesTheOthersAtOnce() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InProcessCommunicator.run(4, 60_000, c -> {
            if (c.rank() == 2) throw boom;
            c.allreduceSum(new float[] {1.5f}, 0, 1);
            return null;
        }));
        // with a 60 s deadline, the test finishing at all shows the waiting ranks were released
        assertSame(boom, e);
    }

    @Test
    void aRankThatClosedIsNamedWithoutWaitingForTheDeadline() {
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(2, 60_000, c -> {
            if (c.rank() == 0) c.barrier();
            return null;
        }));
        assertTrue(e.getMessage().contains("waiting for rank 1, which has already closed"), e.getMessage());
    }

    @Test
    void ranksCallingDifferentCollectivesFailNamingBoth() {
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(2, 60_000, c -> {
            if (c.rank() == 0) c.allreduceSum(new float[3], 0, 3);
            else c.allreduceSum(new float[4], 0, 4);
            return null;
        }));
        assertTrue(e.getMessage().contains("rank 0 called allreduce (length 3), rank 1 called allreduce (length 4)"), e.getMessage());
    }

    @Test
    void groupsInOneJvmAreIndependent() throws Exception {
        // each outer rank runs a group of its own at the same time; values differ per group
        List<float[]> results = InProcessCommunicator.run(2, 10_000, outer -> {
            int g = outer.rank();
            List<float[]> inner = InProcessCommunicator.run(3, 10_000, c -> {
                float[] buf = values(10 * g + c.rank(), 100);
                c.allreduceSum(buf, 0, 100);
                return buf;
            });
            return inner.get(0);
        });
        for (int g = 0; g < 2; g++) {
            float[] expect = values(10 * g, 100);
            for (int q = 1; q < 3; q++) {
                float[] x = values(10 * g + q, 100);
                for (int i = 0; i < 100; i++) expect[i] += x[i];
            }
            assertBitsEqual(expect, results.get(g), "group " + g);
        }
    }

    @Test
    void oneRankIsTheIdentity() throws Exception {
        List<float[]> results = InProcessCommunicator.run(1, 1_000, c -> {
            float[] buf = {0.1f, 0.2f};
            c.allreduceSum(buf, 0, 2);
            c.barrier();
            assertEquals(0, c.bytesSent());
            return buf;
        });
        assertArrayEquals(new float[] {0.1f, 0.2f}, results.get(0));
    }

    @Test
    void aBarrierWithItsOwnBoundWaitsLongerThanTheCollectiveTimeout() throws Exception {
        // rank 0 "writes files" for 4x the collective timeout: a plain barrier gives up, one with its own bound waits
        dopt.comm.CommTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(dopt.comm.CommTimeoutException.class,
                () -> InProcessCommunicator.run(2, 100, c -> {
                    if (c.rank() == 0) Thread.sleep(400);
                    c.barrier();
                    return null;
                }));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("rank 0"), e.getMessage());
        InProcessCommunicator.run(2, 100, c -> {
            if (c.rank() == 0) Thread.sleep(400);
            c.barrier(5_000);
            return null;
        });
    }
}
