package dopt.comm;

/**
 * Collective operations among the ranks of one job on flat {@code float[]} buffers.
 *
 * <p>Every blocking call is bounded by {@link #timeoutMillis()}: when a peer rank has died, the call
 * throws {@link CommTimeoutException} instead of hanging (MPJ Express's own collectives block
 * forever in that case). Results are bit-identical on all ranks, so replicas that apply the same
 * update to the same reduced gradient stay bit-identical.
 */
public interface Communicator extends AutoCloseable {

    int rank();

    int size();

    /** In-place sum over ranks of {@code buf[off, off+len)}. */
    void allreduceSum(float[] buf, int off, int len);

    /** In-place mean over ranks: the sum scaled by 1/size. */
    default void allreduceMean(float[] buf, int off, int len) {
        allreduceSum(buf, off, len);
        if (size() > 1) {
            float inv = 1f / size();
            for (int i = off; i < off + len; i++) buf[i] *= inv;
        }
    }

    /** Copies {@code buf[off, off+len)} of {@code root} into the same range on every rank. */
    void broadcast(float[] buf, int off, int len, int root);

    /**
     * Gathers {@code count} floats from every rank: rank r's {@code send[sendOff, sendOff+count)}
     * lands in {@code recv[recvOff + r*count, recvOff + (r+1)*count)} on all ranks.
     */
    void allgather(float[] send, int sendOff, int count, float[] recv, int recvOff);

    /**
     * Sums {@code buf[off, off+len)} over ranks and leaves on rank r only its block
     * {@link #blockStart}(len, r) ... {@link #blockStart}(len, r+1) of the sum (in place; other
     * blocks of {@code buf} are scratch afterwards).
     */
    void reduceScatterSum(float[] buf, int off, int len);

    /** Returns when every rank has entered it (or throws on timeout). */
    void barrier();

    /**
     * A barrier with its own bound instead of {@link #timeoutMillis()}: for waits that are not
     * communication, such as the other ranks waiting while rank 0 writes the end-of-run outputs.
     */
    default void barrier(long timeoutMillis) { barrier(); }

    /**
     * Gathers a byte message of any length from every rank to all ranks (index = rank); throws
     * when any rank's message is missing. Only for peers that are trusted to be sane: there is no
     * cap on what a peer may claim. Untrusted peers go through {@link #allgatherBytes(byte[], int)}.
     */
    default byte[][] allgatherBytes(byte[] mine) {
        return allgatherBytes(mine, Integer.MAX_VALUE).requireAll("allgather-bytes");
    }

    /**
     * Gathers a byte message from every rank to all ranks with a status per peer: a message longer
     * than {@code maxBytes} is {@link Gathered.Status#REJECTED} before anything is allocated for
     * it, one that has not arrived by the deadline is {@link Gathered.Status#MISSING}; the other
     * peers' messages are delivered either way. This rank's own message is in its slot, OK.
     */
    Gathered allgatherBytes(byte[] mine, int maxBytes);

    /**
     * Sends {@code msg} to rank {@code to}, to be taken by its {@link #recv}. Messages between one
     * pair of ranks arrive in the order sent. May block until the receiver takes the message (as
     * MPI's standard-mode send does for large messages), at most until the deadline; so two ranks
     * must not both send a large message to each other before either receives.
     */
    void send(int to, byte[] msg);

    /**
     * The next message {@link #send sent} by rank {@code from} to this rank; throws {@link
     * MessageRejectedException} if it is longer than {@code maxBytes} (nothing is allocated at the
     * claimed size, and the next message is again received in step), {@link CommTimeoutException}
     * if none arrives by the deadline.
     */
    byte[] recv(int from, int maxBytes);

    /**
     * Sends {@code msg} to rank {@code to} and receives the next message from rank {@code from} under
     * one deadline, both posted at once (MPI_Sendrecv): two neighbours that each send to the other
     * before receiving cannot deadlock, however large the messages (a pipeline's 1F1B steady state
     * sends an activation forward while the next stage sends a gradient back). Receives as {@link
     * #recv}. The default sends first, which is right where sends never block; a communicator whose
     * sends may block overrides it.
     */
    default byte[] sendRecv(int to, byte[] msg, int from, int maxBytes) {
        send(to, msg);
        return recv(from, maxBytes);
    }

    /**
     * Gathers every rank's message on {@code root} (index = rank); returns null on the other ranks.
     * Throws on root, naming the ranks, when a message is missing or longer than {@code maxBytes}.
     */
    byte[][] gatherBytes(byte[] mine, int root, int maxBytes);

    /**
     * Returns {@code root}'s message on every rank; {@code msgOrNull} is read on root only. Throws
     * on a rank that gets nothing by the deadline or a message longer than {@code maxBytes}.
     */
    byte[] broadcastBytes(byte[] msgOrNull, int root, int maxBytes);

    /** Bytes this rank has sent through the communicator so far. */
    long bytesSent();

    /** Bytes this rank has received through the communicator so far. */
    long bytesReceived();

    /** Bound for every blocking call, in milliseconds. */
    long timeoutMillis();

    /** Start of rank {@code r}'s block when {@code len} elements are split into {@code size()} near-equal blocks. */
    default int blockStart(int len, int r) {
        return blockStart(len, size(), r);
    }

    /** Block split shared by the collectives: the first {@code len % n} blocks are one element longer. */
    static int blockStart(int len, int n, int r) {
        int base = len / n, extra = len % n;
        return r * base + Math.min(r, extra);
    }

    @Override
    void close();
}
