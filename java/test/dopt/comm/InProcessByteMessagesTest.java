package dopt.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Byte messages between thread ranks: point-to-point in order, gather to a root, broadcast from
 * one, and the allgather that reports each peer's status instead of failing for everybody.
 */
class InProcessByteMessagesTest {

    private static byte[] message(int rank, int len) {
        byte[] m = new byte[len];
        for (int i = 0; i < len; i++) m[i] = (byte) (31 * rank + i);
        return m;
    }

    @Test
    void pointToPointMessagesArriveInTheOrderSent() throws Exception {
        List<byte[][]> got = InProcessCommunicator.run(2, 10_000, c -> {
            int peer = 1 - c.rank();
            for (int k = 0; k < 3; k++) c.send(peer, message(c.rank(), k + 1));
            byte[][] in = new byte[3][];
            for (int k = 0; k < 3; k++) in[k] = c.recv(peer, 16);
            return in;
        });
        for (int r = 0; r < 2; r++)
            for (int k = 0; k < 3; k++) assertArrayEquals(message(1 - r, k + 1), got.get(r)[k], "rank " + r + " message " + k);
    }

    @Test
    void aMessageOverTheCapIsRejectedAndTheNextOneIsReceivedInStep() throws Exception {
        List<String> got = InProcessCommunicator.run(2, 10_000, c -> {
            if (c.rank() == 1) {
                c.send(0, message(1, 5000));
                c.send(0, message(1, 10));
                return null;
            }
            MessageRejectedException e = assertThrows(MessageRejectedException.class, () -> c.recv(1, 4096));
            assertArrayEquals(message(1, 10), c.recv(1, 4096));
            return e.getMessage();
        });
        assertTrue(got.get(0).contains("rank 1 (claimed 5000 bytes > cap 4096)"), got.get(0));
    }

    @Test
    void aRecvFromASilentRankTimesOutNamingIt() {
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(3, 200, c -> {
            if (c.rank() == 0) c.recv(2, 16);
            else if (c.rank() == 2) Thread.sleep(60_000);
            return null;
        }));
        assertTrue(e.getMessage().startsWith("rank 0: recv did not complete within 0.2 s waiting for rank 2 (nothing arrived by the deadline)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void gatherBringsEveryMessageToTheRootOnly(int n) throws Exception {
        int root = n - 1;
        List<byte[][]> got = InProcessCommunicator.run(n, 10_000, c -> c.gatherBytes(message(c.rank(), c.rank() + 2), root, 64));
        for (int r = 0; r < n; r++) {
            if (r != root) {
                assertNull(got.get(r), "rank " + r + " is not the root");
                continue;
            }
            for (int q = 0; q < n; q++) assertArrayEquals(message(q, q + 2), got.get(r)[q], "from rank " + q);
        }
    }

    @Test
    void gatherFailsOnTheRootNamingTheRankOverTheCap() {
        MessageRejectedException e = assertThrows(MessageRejectedException.class, () -> InProcessCommunicator.run(3, 10_000,
                c -> c.gatherBytes(message(c.rank(), c.rank() == 2 ? 100 : 5), 0, 64)));
        assertTrue(e.getMessage().contains("rank 2 (claimed 100 bytes > cap 64)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void broadcastGivesEveryRankTheRootsMessage(int n) throws Exception {
        List<byte[]> got = InProcessCommunicator.run(n, 10_000, c -> c.broadcastBytes(c.rank() == 1 ? message(1, 9) : null, 1, 64));
        for (int r = 0; r < n; r++) assertArrayEquals(message(1, 9), got.get(r), "rank " + r);
    }

    @Test
    void broadcastOverTheCapIsRejectedOnTheReceivers() {
        MessageRejectedException e = assertThrows(MessageRejectedException.class, () -> InProcessCommunicator.run(2, 10_000,
                c -> c.broadcastBytes(c.rank() == 0 ? message(0, 65) : null, 0, 64)));
        assertTrue(e.getMessage().startsWith("rank 1: broadcast-bytes rejected the message of rank 0 (claimed 65 bytes > cap 64)"), e.getMessage());
    }

    @Test
    void allgatherReportsEachPeersStatusAndDeliversTheHonestOnes() throws Exception {
        int n = 4, cap = 4096, liar = 3, silent = 2;
        CountDownLatch othersDone = new CountDownLatch(n - 1);
        List<Gathered> got = InProcessCommunicator.run(n, 300, c -> {
            if (c.rank() == silent) {
                // stays silent until the others have given up on it, then leaves
                othersDone.await(30, TimeUnit.SECONDS);
                return null;
            }
            Gathered g = c.allgatherBytes(c.rank() == liar ? message(liar, cap + 1) : message(c.rank(), 7), cap);
            othersDone.countDown();
            return g;
        });
        for (int r = 0; r < n; r++) {
            if (r == silent) continue;
            Gathered g = got.get(r);
            for (int q = 0; q < n; q++) {
                if (q == silent) {
                    assertEquals(Gathered.Status.MISSING, g.status(q), "rank " + r + " about the silent rank");
                    assertNull(g.message(q));
                } else if (q == liar && r != liar) {
                    assertEquals(Gathered.Status.REJECTED, g.status(q), "rank " + r + " about the liar");
                    assertEquals("claimed 4097 bytes > cap 4096", g.reason(q));
                    assertNull(g.message(q));
                } else {
                    assertEquals(Gathered.Status.OK, g.status(q), "rank " + r + " about rank " + q + ": " + g.reason(q));
                    assertArrayEquals(q == liar ? message(liar, cap + 1) : message(q, 7), g.message(q));
                }
            }
            assertEquals(List.of(silent), g.ranks(Gathered.Status.MISSING));
            assertTrue(!g.allOk());
        }
    }

    @Test
    void theUncappedAllgatherStillFailsNamingTheMissingRank() {
        CommTimeoutException e = assertThrows(CommTimeoutException.class, () -> InProcessCommunicator.run(2, 200, c -> {
            if (c.rank() == 1) Thread.sleep(60_000);
            else c.allgatherBytes(new byte[3]);
            return null;
        }));
        assertTrue(e.getMessage().startsWith("rank 0: allgather-bytes did not complete within 0.2 s waiting for rank 1 ("), e.getMessage());
    }

    @Test
    void bytesAreCountedWithTheirLengthHeader() throws Exception {
        List<long[]> counts = InProcessCommunicator.run(2, 10_000, c -> {
            if (c.rank() == 0) c.send(1, new byte[10]);
            else c.recv(0, 64);
            c.broadcastBytes(c.rank() == 1 ? new byte[3] : null, 1, 64);
            return new long[] {c.bytesSent(), c.bytesReceived()};
        });
        assertArrayEquals(new long[] {4 + 10, 4 + 3}, counts.get(0));
        assertArrayEquals(new long[] {4 + 3, 4 + 10}, counts.get(1));
    }

    @Test
    void theReceivedMessageIsTheReceiversOwnCopy() throws Exception {
        byte[] sent = message(0, 4);
        List<byte[]> got = InProcessCommunicator.run(2, 10_000, c -> {
            if (c.rank() == 0) {
                c.send(1, sent);
                c.barrier();
                return null;
            }
            byte[] m = c.recv(0, 4);
            c.barrier();
            return m;
        });
        sent[0] = 99;
        assertEquals(Arrays.toString(message(0, 4)), Arrays.toString(got.get(1)));
    }
}
