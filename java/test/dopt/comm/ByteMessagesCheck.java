package dopt.comm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mpi.MPI;

/**
 * Runs on every rank of a real MPJ job (started by {@link MpjCollectivesIT}) and checks the byte
 * messages: point-to-point in order (one message over several chunks), sendRecv around the ring, a message over the cap
 * rejected with the next one received in step, gather and broadcast, the allgather's per-peer
 * status with a peer over the cap and a peer that is late, and a forged length header of 2^31-1
 * bytes refused. Rank 0 writes "OK" to the given file only when every check on every rank passed.
 */
public final class ByteMessagesCheck {
    private static final List<String> failures = new ArrayList<>();

    public static void main(String[] argv) throws Exception {
        String[] args = MpjCommunicator.init(argv);
        MpjCommunicator comm = MpjCommunicator.world(60_000);
        int r = comm.rank(), n = comm.size(), right = (r + 1) % n, left = (r - 1 + n) % n;
        int big = 2 * MpjByteMessages.CHUNK_BYTES + 5, cap = 4096;

        // around the ring, two messages each; even ranks send first so that large sends never wait on each other
        for (int round = 0; round < 2; round++) {
            if (r % 2 == 0) { ringSend(comm, right); ringRecv(comm, left, big); }
            else { ringRecv(comm, left, big); ringSend(comm, right); }
        }

        // sendRecv: every rank sends a three-chunk message right and takes one from the left at once,
        // the ring in which plain sends of that size would all wait for a receiver
        for (int round = 0; round < 2; round++)
            check(equal(message(left, big + round), comm.sendRecv(right, message(r, big + round), left, big + 1)),
                    "sendRecv round " + round + " from " + left);

        // over the cap (one short, one over three chunks), then a message in step
        if (r == 1) {
            comm.send(0, message(1, 5000));
            comm.send(0, message(1, big));
            comm.send(0, message(1, 10));
        } else if (r == 0) {
            expectRejected(() -> comm.recv(1, cap), "claimed 5000 bytes > cap 4096");
            expectRejected(() -> comm.recv(1, cap), "claimed " + big + " bytes > cap 4096");
            check(equal(message(1, 10), comm.recv(1, cap)), "the message after two refused ones");
        }

        int gatherRoot = n - 1, bcastRoot = 1 % n;
        byte[][] gathered = comm.gatherBytes(message(r, r + 3), gatherRoot, cap);
        if (r == gatherRoot) for (int q = 0; q < n; q++) check(equal(message(q, q + 3), gathered[q]), "gather from " + q);
        else check(gathered == null, "gather returns null off the root");
        check(equal(message(bcastRoot, big), comm.broadcastBytes(r == bcastRoot ? message(bcastRoot, big) : null, bcastRoot, big)),
                "broadcast");

        // the last rank sends one byte over the cap: the others reject only it, then all go on in step
        int liar = n - 1;
        Gathered g = comm.allgatherBytes(message(r, r == liar ? cap + 1 : 7), cap);
        for (int q = 0; q < n; q++) {
            if (q == liar && r != liar) check(g.status(q) == Gathered.Status.REJECTED && g.reason(q).equals("claimed 4097 bytes > cap 4096"),
                    "rank " + q + " over the cap: " + g.status(q) + " " + g.reason(q));
            else check(g.status(q) == Gathered.Status.OK && equal(message(q, q == liar ? cap + 1 : 7), g.message(q)), "allgather from " + q);
        }
        byte[][] again = comm.allgatherBytes(message(r, 11));
        for (int q = 0; q < n; q++) check(equal(message(q, 11), again[q]), "allgather after a rejection, from " + q);

        // the last rank is late: the others give up on it after a short deadline, keep the rest,
        // and its late (empty) message then completes what they had posted for it
        comm.barrier();
        MpjByteMessages quick = new MpjByteMessages(r, n, 1_000_000_000L);
        if (r == n - 1) {
            Thread.sleep(3000);
            new MpjByteMessages(r, n, 60_000_000_000L).transfer(new byte[0], others(r, n), others(r, n), cap,
                    MpjByteMessages.Channel.ALLGATHER, "late allgather", true);
        } else {
            Gathered late = quick.transfer(message(r, 5), others(r, n), others(r, n), cap, MpjByteMessages.Channel.ALLGATHER,
                    "allgather", false);
            for (int q = 0; q < n; q++) {
                if (q == r) continue;
                if (q == n - 1) check(late.status(q) == Gathered.Status.MISSING
                        && late.reason(q).equals("nothing arrived by the deadline"), "late rank: " + late.status(q) + " " + late.reason(q));
                else check(late.status(q) == Gathered.Status.OK && equal(message(q, 5), late.message(q)), "on-time rank " + q);
            }
        }
        comm.barrier();

        // a forged header claiming 2^31-1 bytes is refused, not allocated
        if (n >= 2 && r == 1) {
            MPI.COMM_WORLD.Isend(new int[] {Integer.MAX_VALUE}, 0, 1, MPI.INT, 0, MpjByteMessages.Channel.POINT_TO_POINT.headerTag).Wait();
        } else if (r == 0) {
            expectRejected(() -> quick.transfer(null, new int[0], new int[] {1}, cap, MpjByteMessages.Channel.POINT_TO_POINT, "recv", true)
                    .require(1, "recv"), "claimed 2147483647 bytes > cap 4096; of its bytes only 0 arrived");
        }
        comm.barrier();
        // one chunk completes the receive rank 0 had posted for the forged message, so no request is left open
        if (n >= 2 && r == 1) MPI.COMM_WORLD.Isend(new byte[MpjByteMessages.CHUNK_BYTES], 0, MpjByteMessages.CHUNK_BYTES, MPI.BYTE, 0,
                MpjByteMessages.Channel.POINT_TO_POINT.chunkTag).Wait();
        comm.barrier();

        for (String f : failures) System.err.println("rank " + r + ": " + f);
        float[] count = {failures.size()};
        comm.allreduceSum(count, 0, 1);
        if (r == 0) Files.writeString(Path.of(args[0]), count[0] == 0 ? "OK ranks=" + n + "\n" : "FAILED " + count[0] + "\n");
        comm.close();
    }

    private static void ringSend(Communicator comm, int to) {
        comm.send(to, message(comm.rank(), 10));
        comm.send(to, message(comm.rank(), 2 * MpjByteMessages.CHUNK_BYTES + 5));
    }

    private static void ringRecv(Communicator comm, int from, int cap) {
        check(equal(message(from, 10), comm.recv(from, cap)), "first ring message from " + from);
        check(equal(message(from, 2 * MpjByteMessages.CHUNK_BYTES + 5), comm.recv(from, cap)), "chunked ring message from " + from);
    }

    private static void expectRejected(Runnable call, String reason) {
        try {
            call.run();
            failures.add("not rejected: " + reason);
        } catch (MessageRejectedException e) {
            check(e.getMessage().contains(reason), "rejection reason: " + e.getMessage());
        }
    }

    private static int[] others(int r, int n) {
        int[] o = new int[n - 1];
        for (int q = 0, k = 0; q < n; q++) if (q != r) o[k++] = q;
        return o;
    }

    private static byte[] message(int rank, int len) {
        byte[] m = new byte[len];
        for (int i = 0; i < len; i++) m[i] = (byte) (31 * rank + i);
        return m;
    }

    private static boolean equal(byte[] a, byte[] b) { return java.util.Arrays.equals(a, b); }

    private static void check(boolean ok, String what) { if (!ok) failures.add(what); }
}
