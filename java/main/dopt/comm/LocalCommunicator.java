package dopt.comm;

/** The single-rank communicator: every collective is the identity and nothing crosses a wire. */
public final class LocalCommunicator implements Communicator {
    private final long timeoutMillis;

    public LocalCommunicator() { this(60_000); }

    public LocalCommunicator(long timeoutMillis) { this.timeoutMillis = timeoutMillis; }

    @Override public int rank() { return 0; }
    @Override public int size() { return 1; }
    @Override public void allreduceSum(float[] buf, int off, int len) { }
    @Override public void broadcast(float[] buf, int off, int len, int root) { checkRoot(root); }
    @Override public void allgather(float[] send, int sendOff, int count, float[] recv, int recvOff) {
        System.arraycopy(send, sendOff, recv, recvOff, count);
    }
    @Override public void reduceScatterSum(float[] buf, int off, int len) { }
    @Override public void barrier() { }
    @Override public byte[][] allgatherBytes(byte[] mine) { return new byte[][] {mine.clone()}; }
    @Override public long bytesSent() { return 0; }
    @Override public long bytesReceived() { return 0; }
    @Override public long timeoutMillis() { return timeoutMillis; }
    @Override public void close() { }

    private static void checkRoot(int root) {
        if (root != 0) throw new IllegalArgumentException("root " + root + " out of range for 1 rank");
    }
}
