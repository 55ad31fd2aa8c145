package dopt.comm;

import java.util.ArrayDeque;

/** The single-rank communicator: every collective is the identity and nothing crosses a wire. */
public final class LocalCommunicator implements Communicator {
    private final long timeoutMillis;
    /** Messages this rank sent to itself, for {@link #recv}. */
    private final ArrayDeque<byte[]> toSelf = new ArrayDeque<>();

    public LocalCommunicator() { this(60_000); }

    public LocalCommunicator(long timeoutMillis) { this.timeoutMillis = timeoutMillis; }

    @Override public int rank() { return 0; }
    @Override public int size() { return 1; }
    @Override public void allreduceSum(float[] buf, int off, int len) { }
    @Override public void broadcast(float[] buf, int off, int len, int root) { checkRank(root); }
    @Override public void allgather(float[] send, int sendOff, int count, float[] recv, int recvOff) {
        System.arraycopy(send, sendOff, recv, recvOff, count);
    }
    @Override public void reduceScatterSum(float[] buf, int off, int len) { }
    @Override public void barrier() { }
    @Override public void barrier(long timeoutMillis) { }
    @Override public byte[][] allgatherBytes(byte[] mine) { return new byte[][] {mine.clone()}; }

    @Override
    public Gathered allgatherBytes(byte[] mine, int maxBytes) {
        Gathered got = new Gathered(0, 1, timeoutMillis);
        got.ok(0, mine.clone());
        return got;
    }

    @Override
    public void send(int to, byte[] msg) {
        checkRank(to);
        toSelf.addLast(msg.clone());
    }

    @Override
    public byte[] recv(int from, int maxBytes) {
        checkRank(from);
        // nobody else can send to the only rank, so waiting for the deadline could not help
        if (toSelf.isEmpty()) throw new CommTimeoutException("rank 0: recv from rank 0: nothing was sent (1 rank)");
        if (toSelf.peekFirst().length > maxBytes) {
            byte[] refused = toSelf.removeFirst();
            throw new MessageRejectedException("rank 0: recv rejected the message of rank 0 (" + Gathered.overCap(refused.length, maxBytes) + ")");
        }
        return toSelf.removeFirst();
    }

    @Override
    public byte[][] gatherBytes(byte[] mine, int root, int maxBytes) {
        checkRank(root);
        return new byte[][] {mine.clone()};
    }

    @Override
    public byte[] broadcastBytes(byte[] msgOrNull, int root, int maxBytes) {
        checkRank(root);
        return msgOrNull.clone();
    }

    @Override public long bytesSent() { return 0; }
    @Override public long bytesReceived() { return 0; }
    @Override public long timeoutMillis() { return timeoutMillis; }
    @Override public void close() { }

    private static void checkRank(int r) {
        if (r != 0) throw new IllegalArgumentException("rank " + r + " out of range for 1 rank");
    }
}
