package dopt.comm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * N ranks as threads of one JVM, so that trainer and exchange-policy tests run multi-rank in
 * milliseconds. The contract is {@link MpjCommunicator}'s: every element of a sum is added once,
 * by one rank, in rank order 0, 1, ..., n-1 (the order of {@link SharedMemoryAllreduce}, so
 * results equal an MPJ multicore run bit for bit) and copied to all ranks; every blocking call is
 * bounded by {@link #timeoutMillis()} and throws {@link CommTimeoutException} naming the ranks it
 * waited for; bytes are counted as MPJ's multicore path counts them.
 *
 * <p>Unlike MPJ, ranks that call different collectives fail at once with both calls named, and a
 * rank that failed or closed its communicator makes its waiting peers fail at once.
 */
public final class InProcessCommunicator implements Communicator {

    /** What one rank runs in {@link #run}. */
    @FunctionalInterface
    public interface RankBody<T> {
        T apply(Communicator comm) throws Exception;
    }

    private static final int CHANNEL_POINT_TO_POINT = 0, CHANNEL_ALLGATHER_BYTES = 1, CHANNEL_GATHER = 2,
            CHANNEL_BROADCAST_BYTES = 3;
    private static final int[] NONE = {};

    private final InProcessGroup group;
    private final int rank, size;
    /** The ranks' published buffers, copied out of the group once per call so the hot loops index plain arrays. */
    private final float[][] views;
    private final int[] offs;
    private long bytesSent, bytesReceived;

    private InProcessCommunicator(InProcessGroup group, int rank) {
        this.group = group;
        this.rank = rank;
        this.size = group.size;
        this.views = new float[size][];
        this.offs = new int[size];
    }

    /** A fresh group of {@code n} ranks; hand element r to the thread that plays rank r. */
    public static List<InProcessCommunicator> group(int n, long timeoutMillis) {
        if (n < 1) throw new IllegalArgumentException("a group needs at least one rank, got " + n);
        if (timeoutMillis <= 0) throw new IllegalArgumentException("timeout must be positive, got " + timeoutMillis + " ms");
        InProcessGroup g = new InProcessGroup(n, timeoutMillis);
        List<InProcessCommunicator> comms = new ArrayList<>(n);
        for (int r = 0; r < n; r++) comms.add(new InProcessCommunicator(g, r));
        return Collections.unmodifiableList(comms);
    }

    /**
     * Runs {@code body} on {@code n} thread ranks of a fresh group and returns each rank's result
     * (index = rank). The first failure in time is rethrown as it was thrown; it also wakes the other
     * ranks' waits and interrupts them, so a test that provokes a failure does not sit out the deadline.
     */
    public static <T> List<T> run(int n, long timeoutMillis, RankBody<T> body) throws Exception {
        List<InProcessCommunicator> comms = group(n, timeoutMillis);
        Object[] results = new Object[n];
        AtomicReference<Throwable> first = new AtomicReference<>();
        Thread[] threads = new Thread[n];
        for (int r = 0; r < n; r++) {
            int rank = r;
            threads[r] = new Thread(() -> {
                InProcessCommunicator comm = comms.get(rank);
                try {
                    results[rank] = body.apply(comm);
                } catch (Throwable e) {
                    if (first.compareAndSet(null, e)) {
                        comm.group.abort(rank, e);
                        for (Thread t : threads) if (t != Thread.currentThread()) t.interrupt();
                    }
                } finally {
                    comm.close();
                }
            }, "in-process-rank-" + r);
            threads[r].setDaemon(true);
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) {
            // after a failure, a rank busy outside the communicator gets one deadline to notice
            if (first.get() == null) t.join();
            else t.join(timeoutMillis + 1000);
        }
        Throwable e = first.get();
        if (e instanceof Exception ex) throw ex;
        if (e instanceof Error err) throw err;
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) Collections.unmodifiableList(Arrays.asList(results));
        return list;
    }

    @Override public int rank() { return rank; }
    @Override public int size() { return size; }
    @Override public long bytesSent() { return bytesSent; }
    @Override public long bytesReceived() { return bytesReceived; }
    @Override public long timeoutMillis() { return group.timeoutNanos / 1_000_000L; }

    @Override
    public void allreduceSum(float[] buf, int off, int len) {
        if (size == 1 || len == 0) return;
        publish(buf, off, "allreduce", len);
        sumOwnBlock(len, 0, size);
        group.rendezvous(rank, "allreduce", len);
        long ring = MpjCommunicator.ringAllreduceBytes(len, size);
        bytesSent += ring;
        bytesReceived += ring;
    }

    @Override
    public void reduceScatterSum(float[] buf, int off, int len) {
        if (size == 1 || len == 0) return;
        publish(buf, off, "reduce-scatter", len);
        sumOwnBlock(len, rank, rank + 1);
        // the others still read their blocks of this rank's buffer until they arrive here
        group.rendezvous(rank, "reduce-scatter", len);
        // as the ring moves it: every block but this rank's out, every block but the left neighbour's in
        int left = (rank - 1 + size) % size;
        bytesSent += 4L * (len - blockLength(len, rank));
        bytesReceived += 4L * (len - blockLength(len, left));
    }

    @Override
    public void broadcast(float[] buf, int off, int len, int root) {
        checkRank(root);
        if (size == 1 || len == 0) return;
        publish(buf, off, "broadcast from " + root, len);
        if (rank != root) System.arraycopy(views[root], offs[root], buf, off, len);
        group.rendezvous(rank, "broadcast from " + root, len);
        if (rank == root) bytesSent += 4L * len * (size - 1);
        else bytesReceived += 4L * len;
    }

    @Override
    public void allgather(float[] send, int sendOff, int count, float[] recv, int recvOff) {
        System.arraycopy(send, sendOff, recv, recvOff + rank * count, count);
        if (size == 1 || count == 0) return;
        publish(send, sendOff, "allgather", count);
        for (int q = 0; q < size; q++)
            if (q != rank) System.arraycopy(views[q], offs[q], recv, recvOff + q * count, count);
        group.rendezvous(rank, "allgather", count);
        bytesSent += 4L * count * (size - 1);
        bytesReceived += 4L * count * (size - 1);
    }

    @Override
    public void barrier() {
        group.rendezvous(rank, "barrier", 0);
    }

    @Override
    public void barrier(long timeoutMillis) {
        group.rendezvous(rank, "barrier", 0, timeoutMillis * 1_000_000L);
    }

    @Override
    public Gathered allgatherBytes(byte[] mine, int maxBytes) {
        Gathered got = transfer(mine, others(), others(), maxBytes, CHANNEL_ALLGATHER_BYTES, "allgather-bytes");
        got.ok(rank, mine.clone());
        return got;
    }

    @Override
    public void send(int to, byte[] msg) {
        checkRank(to);
        transfer(msg, new int[] {to}, NONE, 0, CHANNEL_POINT_TO_POINT, "send");
    }

    @Override
    public byte[] recv(int from, int maxBytes) {
        checkRank(from);
        return transfer(null, NONE, new int[] {from}, maxBytes, CHANNEL_POINT_TO_POINT, "recv").require(from, "recv");
    }

    @Override
    public byte[][] gatherBytes(byte[] mine, int root, int maxBytes) {
        checkRank(root);
        if (rank != root) {
            transfer(mine, new int[] {root}, NONE, 0, CHANNEL_GATHER, "gather-bytes");
            return null;
        }
        Gathered got = transfer(null, NONE, others(), maxBytes, CHANNEL_GATHER, "gather-bytes");
        got.ok(rank, mine.clone());
        return got.requireAll("gather-bytes");
    }

    @Override
    public byte[] broadcastBytes(byte[] msgOrNull, int root, int maxBytes) {
        checkRank(root);
        if (rank == root) {
            if (msgOrNull == null) throw new IllegalArgumentException("broadcast-bytes: the root (rank " + root + ") passed no message");
            transfer(msgOrNull, others(), NONE, 0, CHANNEL_BROADCAST_BYTES, "broadcast-bytes");
            return msgOrNull.clone();
        }
        return transfer(null, NONE, new int[] {root}, maxBytes, CHANNEL_BROADCAST_BYTES, "broadcast-bytes")
                .require(root, "broadcast-bytes");
    }

    /**
     * The one byte path: leaves a private copy of {@code msg} for each rank in {@code sendTo}, then
     * takes one message from each rank in {@code recvFrom} under one deadline. Sends never block.
     */
    private Gathered transfer(byte[] msg, int[] sendTo, int[] recvFrom, int maxBytes, int channel, String op) {
        if (maxBytes < 0) throw new IllegalArgumentException(op + ": negative cap " + maxBytes);
        for (int to : sendTo) {
            group.post(channel, rank, to, msg.clone());
            bytesSent += 4 + msg.length;
        }
        Gathered got = new Gathered(rank, size, timeoutMillis());
        long deadline = System.nanoTime() + group.timeoutNanos;
        for (int from : recvFrom) {
            byte[] m = group.take(channel, from, rank, deadline, op);
            if (m == null) {
                got.miss(from, group.whyMissing(from));
                continue;
            }
            bytesReceived += 4 + m.length;
            if (m.length > maxBytes) got.reject(from, Gathered.overCap(m.length, maxBytes));
            else got.ok(from, m);
        }
        return got;
    }

    private int[] others() {
        int[] o = new int[size - 1];
        for (int q = 0, k = 0; q < size; q++) if (q != rank) o[k++] = q;
        return o;
    }

    /** Leaves the group: peers still waiting for this rank fail at once instead of at the deadline. */
    @Override
    public void close() {
        group.depart(rank);
    }

    /**
     * Sums this rank's block of every published buffer in rank order 0, 1, ..., n-1 and writes the
     * sum into the buffers of ranks [{@code from}, {@code to}): all of them for allreduce, only its
     * own for reduce-scatter. No other rank reads or writes this block.
     */
    private void sumOwnBlock(int len, int from, int to) {
        float[][] v = views;
        int[] o = offs;
        for (int i = blockStart(len, rank), hi = blockStart(len, rank + 1); i < hi; i++) {
            float s = v[0][o[0] + i];
            for (int q = 1; q < size; q++) s += v[q][o[q] + i];
            for (int q = from; q < to; q++) v[q][o[q] + i] = s;
        }
    }

    /** Publishes this rank's buffer, waits for every rank's, and takes a private view of them all. */
    private void publish(float[] buf, int off, String op, int len) {
        group.buffers[rank] = buf;
        group.offsets[rank] = off;
        group.rendezvous(rank, op, len);
        System.arraycopy(group.buffers, 0, views, 0, size);
        System.arraycopy(group.offsets, 0, offs, 0, size);
    }

    private int blockLength(int len, int r) {
        return blockStart(len, r + 1) - blockStart(len, r);
    }

    private void checkRank(int r) {
        if (r < 0 || r >= size) throw new IllegalArgumentException("rank " + r + " out of range for " + size + " ranks");
    }
}
