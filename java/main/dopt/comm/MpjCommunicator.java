package dopt.comm;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import mpi.Datatype;
import mpi.MPI;
import mpi.Request;

/**
 * {@link Communicator} over MPJ Express, under both the {@code multicore} (smpdev) and the
 * {@code niodev} devices.
 *
 * <p>The collectives are built on non-blocking point-to-point messages that are polled against a
 * deadline, because MPJ's own collectives block forever when a peer dies and cannot be
 * interrupted. Allreduce is the ring algorithm (reduce-scatter, then allgather; Patarasuk and
 * Yuan 2009), which also keeps every result bit-identical across ranks: each block is reduced
 * once, by one rank, in a fixed order, and then copied to the others. Messages are cut into
 * chunks of at most {@link #CHUNK_FLOATS} floats because MPJ fails on messages of 256 MiB or more.
 * Under the multicore device, allreduce and barrier use {@link SharedMemoryAllreduce} instead
 * (set {@code -Ddopt.comm.noSharedMemory=true} to measure the ring there).
 */
public final class MpjCommunicator implements Communicator {

    /** 8 Mi floats = 32 MiB per message, far below MPJ's 256 MiB failure point. */
    static final int CHUNK_FLOATS = 8 << 20;

    /** Tags of the float collectives; byte messages use {@link MpjByteMessages.Channel}'s tags, 15 and up. */
    private static final int TAG_RS = 11, TAG_AG = 12, TAG_BCAST = 13, TAG_GATHER = 14, TAG_RSCATTER = 17;
    private static final int[] NONE = {};

    private final int rank, size;
    private final long timeoutNanos;
    /** The bound of the waits in progress: {@link #timeoutNanos}, or a barrier's own. */
    private long waitNanos;
    private float[] scratch = new float[0];
    private final float[] barrierBuf = new float[1];
    private long bytesSent, bytesReceived;
    /** Byte messages: headers, caps and deadlines; counts its own bytes. */
    private final MpjByteMessages bytes;
    /** The multicore device's shared-memory path for allreduce and barrier, or null. */
    private final SharedMemoryAllreduce shared;
    private static volatile String device = "";

    private MpjCommunicator(long timeoutMillis) {
        this.rank = MPI.COMM_WORLD.Rank();
        this.size = MPI.COMM_WORLD.Size();
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.waitNanos = timeoutNanos;
        this.bytes = new MpjByteMessages(rank, size, timeoutNanos);
        boolean multicore = device.equals("smpdev") && !Boolean.getBoolean("dopt.comm.noSharedMemory");
        this.shared = multicore && size > 1 ? new SharedMemoryAllreduce(rank, size, timeoutMillis, launchId()) : null;
    }

    /**
     * Initialises MPJ Express with the arguments the starter passed to {@code main} and returns the
     * application's own arguments (MPJ prepends rank, size and device).
     */
    public static String[] init(String[] mainArgs) {
        // the starter passes rank, size and device first: "smpdev" means ranks are threads of one JVM
        if (mainArgs.length > 2) device = mainArgs[2];
        return MPI.Init(mainArgs);
    }

    /**
     * An id that every rank of this job gets and no other job does: rank 0 draws it and sends it
     * over MPJ, which connects only the ranks of one launch. Keys the shared-memory rendezvous.
     */
    private String launchId() {
        byte[] id = rank == 0 ? UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII) : null;
        // through a messenger of its own, so that the job's byte counts stay what they were
        return new String(broadcastBytes(new MpjByteMessages(rank, size, timeoutNanos), id, 0, 64), StandardCharsets.US_ASCII);
    }

    /** Whether allreduce and barrier go through shared memory (MPJ's multicore device). */
    public boolean sharedMemory() { return shared != null; }

    /** The world communicator of an initialised MPJ job; collective (under multicore every rank must call it). */
    public static MpjCommunicator world(long timeoutMillis) {
        return new MpjCommunicator(timeoutMillis);
    }

    @Override public int rank() { return rank; }
    @Override public int size() { return size; }
    @Override public long bytesSent() { return bytesSent + bytes.bytesSent(); }
    @Override public long bytesReceived() { return bytesReceived + bytes.bytesReceived(); }
    @Override public long timeoutMillis() { return timeoutNanos / 1_000_000L; }

    @Override
    public void allreduceSum(float[] buf, int off, int len) {
        if (size == 1 || len == 0) return;
        if (shared != null) {
            shared.allreduceSum(buf, off, len);
            // counted as the ring would move it, so traces compare across devices
            long ring = ringAllreduceBytes(len, size);
            bytesSent += ring;
            bytesReceived += ring;
            return;
        }
        reduceScatterRing(buf, off, len, 0, "allreduce");
        // rank r now holds the reduced block (r + 1) mod n; circulate the blocks
        int right = (rank + 1) % size, left = (rank - 1 + size) % size;
        for (int s = 0; s < size - 1; s++) {
            int sb = Math.floorMod(rank + 1 - s, size), rb = Math.floorMod(rank - s, size);
            int so = off + blockStart(len, sb), sl = blockStart(len, sb + 1) - blockStart(len, sb);
            int ro = off + blockStart(len, rb), rl = blockStart(len, rb + 1) - blockStart(len, rb);
            exchangeFloats(buf, so, sl, right, buf, ro, rl, left, TAG_AG, "allreduce");
        }
    }

    /**
     * Bytes one rank sends (and receives) in a ring allreduce of {@code len} floats over {@code size}
     * ranks: 2(n-1) blocks of len/n floats. The shared-memory paths count this instead of what they
     * move, so traces compare across devices.
     */
    static long ringAllreduceBytes(int len, int size) {
        return 4L * 2 * (size - 1) * (len / size);
    }

    @Override
    public void reduceScatterSum(float[] buf, int off, int len) {
        if (size == 1 || len == 0) return;
        reduceScatterRing(buf, off, len, 1, "reduce-scatter");
    }

    /**
     * Ring reduce-scatter. With {@code shift} 0 rank r ends holding block r+1 (what the allgather
     * phase of allreduce expects); with shift 1 it ends holding block r.
     */
    private void reduceScatterRing(float[] buf, int off, int len, int shift, String op) {
        int right = (rank + 1) % size, left = (rank - 1 + size) % size;
        int maxBlock = blockStart(len, 1);
        ensureScratch(Math.min(maxBlock, CHUNK_FLOATS));
        int tag = shift == 0 ? TAG_RS : TAG_RSCATTER;
        for (int s = 0; s < size - 1; s++) {
            int sb = Math.floorMod(rank - s - shift, size), rb = Math.floorMod(rank - s - 1 - shift, size);
            int so = off + blockStart(len, sb), sl = blockStart(len, sb + 1) - blockStart(len, sb);
            int ro = off + blockStart(len, rb), rl = blockStart(len, rb + 1) - blockStart(len, rb);
            for (int c = 0; c < Math.max(sl, rl); c += CHUNK_FLOATS) {
                int sc = Math.max(0, Math.min(CHUNK_FLOATS, sl - c)), rc = Math.max(0, Math.min(CHUNK_FLOATS, rl - c));
                exchange(buf, so + c, sc, MPI.FLOAT, right, scratch, 0, rc, left, tag, op, 4);
                float[] t = scratch;
                int base = ro + c;
                for (int i = 0; i < rc; i++) buf[base + i] += t[i];
            }
        }
    }

    @Override
    public void broadcast(float[] buf, int off, int len, int root) {
        checkRank(root);
        if (size == 1 || len == 0) return;
        for (int c = 0; c < len; c += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, len - c);
            if (rank == root) {
                Request[] reqs = new Request[size - 1];
                int k = 0;
                for (int p = 0; p < size; p++)
                    if (p != root) reqs[k++] = MPI.COMM_WORLD.Isend(buf, off + c, n, MPI.FLOAT, p, TAG_BCAST);
                k = 0;
                for (int p = 0; p < size; p++) if (p != root) await(reqs[k++], "broadcast", p);
                bytesSent += 4L * n * (size - 1);
            } else {
                await(MPI.COMM_WORLD.Irecv(buf, off + c, n, MPI.FLOAT, root, TAG_BCAST), "broadcast", root);
                bytesReceived += 4L * n;
            }
        }
    }

    @Override
    public void allgather(float[] send, int sendOff, int count, float[] recv, int recvOff) {
        System.arraycopy(send, sendOff, recv, recvOff + rank * count, count);
        if (size == 1 || count == 0) return;
        int right = (rank + 1) % size, left = (rank - 1 + size) % size;
        for (int s = 0; s < size - 1; s++) {
            int sb = Math.floorMod(rank - s, size), rb = Math.floorMod(rank - s - 1, size);
            exchangeFloats(recv, recvOff + sb * count, count, right, recv, recvOff + rb * count, count, left,
                    TAG_GATHER, "allgather");
        }
    }

    @Override
    public void barrier() {
        if (shared != null) {
            shared.barrier();
            return;
        }
        barrierBuf[0] = 1f;
        allreduceSum(barrierBuf, 0, 1);
        if (barrierBuf[0] != size) throw new IllegalStateException("barrier: expected " + size + " ranks, counted " + barrierBuf[0]);
    }

    @Override
    public void barrier(long timeoutMillis) {
        if (shared != null) {
            shared.barrier(timeoutMillis * 1_000_000L);
            return;
        }
        waitNanos = timeoutMillis * 1_000_000L;
        try {
            barrier();
        } finally {
            waitNanos = timeoutNanos;
        }
    }

    @Override
    public Gathered allgatherBytes(byte[] mine, int maxBytes) {
        Gathered got = bytes.transfer(mine, others(), others(), maxBytes, MpjByteMessages.Channel.ALLGATHER,
                "allgather-bytes", false);
        got.ok(rank, mine.clone());
        return got;
    }

    @Override
    public void send(int to, byte[] msg) {
        checkRank(to);
        bytes.transfer(msg, new int[] {to}, NONE, 0, MpjByteMessages.Channel.POINT_TO_POINT, "send", true);
    }

    @Override
    public byte[] recv(int from, int maxBytes) {
        checkRank(from);
        return bytes.transfer(null, NONE, new int[] {from}, maxBytes, MpjByteMessages.Channel.POINT_TO_POINT, "recv", true)
                .require(from, "recv");
    }

    /** Posts the send and the receive together (MPJ's sends of large messages wait for the receiver). */
    @Override
    public byte[] sendRecv(int to, byte[] msg, int from, int maxBytes) {
        checkRank(to);
        checkRank(from);
        return bytes.transfer(msg, new int[] {to}, new int[] {from}, maxBytes, MpjByteMessages.Channel.POINT_TO_POINT, "sendrecv", true)
                .require(from, "sendrecv");
    }

    @Override
    public byte[][] gatherBytes(byte[] mine, int root, int maxBytes) {
        checkRank(root);
        if (rank != root) {
            bytes.transfer(mine, new int[] {root}, NONE, 0, MpjByteMessages.Channel.GATHER, "gather-bytes", true);
            return null;
        }
        Gathered got = bytes.transfer(null, NONE, others(), maxBytes, MpjByteMessages.Channel.GATHER, "gather-bytes", true);
        got.ok(rank, mine.clone());
        return got.requireAll("gather-bytes");
    }

    @Override
    public byte[] broadcastBytes(byte[] msgOrNull, int root, int maxBytes) {
        return broadcastBytes(bytes, msgOrNull, root, maxBytes);
    }

    private byte[] broadcastBytes(MpjByteMessages via, byte[] msgOrNull, int root, int maxBytes) {
        checkRank(root);
        if (rank == root) {
            if (msgOrNull == null) throw new IllegalArgumentException("broadcast-bytes: the root (rank " + root + ") passed no message");
            via.transfer(msgOrNull, others(), NONE, 0, MpjByteMessages.Channel.BROADCAST, "broadcast-bytes", true);
            return msgOrNull.clone();
        }
        return via.transfer(null, NONE, new int[] {root}, maxBytes, MpjByteMessages.Channel.BROADCAST, "broadcast-bytes", true)
                .require(root, "broadcast-bytes");
    }

    private int[] others() {
        int[] o = new int[size - 1];
        for (int q = 0, k = 0; q < size; q++) if (q != rank) o[k++] = q;
        return o;
    }

    private void exchangeFloats(float[] sbuf, int soff, int slen, int to, float[] rbuf, int roff, int rlen, int from,
                                int tag, String op) {
        for (int c = 0; c < Math.max(slen, rlen); c += CHUNK_FLOATS) {
            int sc = Math.max(0, Math.min(CHUNK_FLOATS, slen - c)), rc = Math.max(0, Math.min(CHUNK_FLOATS, rlen - c));
            exchange(sbuf, soff + c, sc, MPI.FLOAT, to, rbuf, roff + c, rc, from, tag, op, 4);
        }
    }

    private void exchange(Object sbuf, int soff, int scount, Datatype type, int to,
                          Object rbuf, int roff, int rcount, int from, int tag, String op, int elemBytes) {
        // an empty side is skipped on both ends alike: the peer computes the same length for that
        // message, and MPJ mishandles zero-length messages
        Request r = rcount > 0 ? MPI.COMM_WORLD.Irecv(rbuf, roff, rcount, type, from, tag) : null;
        Request s = scount > 0 ? MPI.COMM_WORLD.Isend(sbuf, soff, scount, type, to, tag) : null;
        if (r != null) await(r, op, from);
        if (s != null) await(s, op, to);
        bytesSent += (long) elemBytes * scount;
        bytesReceived += (long) elemBytes * rcount;
    }

    /**
     * Polls {@code req} until it completes or the deadline passes. Spins briefly (most exchanges
     * finish within microseconds), then parks in short slices so that two ranks on two cores do
     * not starve MPJ's own progress threads.
     */
    private void await(Request req, String op, int peer) {
        if (test(req, op, peer)) return;
        long deadline = System.nanoTime() + waitNanos;
        int spins = 0;
        while (!test(req, op, peer)) {
            if (++spins < 1000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
                if (System.nanoTime() - deadline > 0)
                    throw new CommTimeoutException("rank " + rank + ": " + op + " did not complete within "
                            + waitNanos / 1_000_000_000.0 + " s waiting for rank " + peer
                            + " (that rank has probably died or hung; the bound is the job's comm.timeout_s)");
            }
        }
    }

    /** One poll; a connection MPJ reports broken (niodev, the peer process died) fails like a timeout. */
    private boolean test(Request req, String op, int peer) {
        try {
            return req.Test() != null;
        } catch (RuntimeException e) {
            throw new CommTimeoutException("rank " + rank + ": " + op + " failed waiting for rank " + peer
                    + ": the connection to that rank was lost (it has probably died): " + e);
        }
    }

    private void ensureScratch(int n) {
        if (scratch.length < n) scratch = new float[n];
    }

    private void checkRank(int r) {
        if (r < 0 || r >= size) throw new IllegalArgumentException("rank " + r + " out of range for " + size + " ranks");
    }

    /** Finalises MPJ Express; call only when every rank reaches the end normally. */
    @Override
    public void close() {
        if (shared != null) shared.close();
        MPI.Finalize();
    }
}
