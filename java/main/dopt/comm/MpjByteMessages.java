package dopt.comm;

import java.util.concurrent.locks.LockSupport;
import mpi.MPI;
import mpi.Request;

/**
 * Byte messages between MPJ ranks with a receiver's cap and one deadline per call, the transport
 * under {@link MpjCommunicator}'s send/recv, gather, broadcast and allgather of bytes.
 *
 * <p>On the wire a message is its length (one int, the header) followed by its bytes cut into
 * chunks of at most {@link #CHUNK_BYTES}, each its own MPJ message. The receiver allocates a
 * message only after checking the header against its cap. A message over the cap is still
 * consumed, chunk by chunk through one reusable chunk buffer, so that the next message on that
 * channel is received in step; MPJ cannot receive a message into a buffer smaller than it, which
 * is why the chunks are bounded. Messages between one pair of ranks on one channel keep their order
 * (MPI's non-overtaking rule for one source and tag).
 */
final class MpjByteMessages {
    /** The largest single MPJ message, and the most a refused message makes the receiver allocate. */
    static final int CHUNK_BYTES = 1 << 20;

    /** A tag pair per kind of traffic, so that a point-to-point message never matches a collective's. */
    enum Channel {
        ALLGATHER(15, 16), POINT_TO_POINT(18, 19), GATHER(20, 21), BROADCAST(22, 23);

        final int headerTag, chunkTag;

        Channel(int headerTag, int chunkTag) {
            this.headerTag = headerTag;
            this.chunkTag = chunkTag;
        }
    }

    private final int rank, size;
    private final long timeoutNanos;
    private long bytesSent, bytesReceived;
    private byte[] drain;

    MpjByteMessages(int rank, int size, long timeoutNanos) {
        this.rank = rank;
        this.size = size;
        this.timeoutNanos = timeoutNanos;
    }

    long bytesSent() { return bytesSent; }

    long bytesReceived() { return bytesReceived; }

    /**
     * Sends {@code msg} to every rank in {@code sendTo} and receives one message from every rank
     * in {@code recvFrom}, all under one deadline. The result holds a status for each rank in
     * {@code recvFrom} (the others' slots are empty). When {@code sendsMustComplete}, a send not
     * completed by the deadline throws {@link CommTimeoutException} naming its receiver; otherwise
     * it is abandoned (its receiver is missing anyway).
     */
    Gathered transfer(byte[] msg, int[] sendTo, int[] recvFrom, int maxBytes, Channel channel, String op,
                      boolean sendsMustComplete) {
        if (maxBytes < 0) throw new IllegalArgumentException(op + ": negative cap " + maxBytes);
        Outgoing[] outs = new Outgoing[sendTo.length];
        int[] header = msg == null ? null : new int[] {msg.length};
        for (int k = 0; k < sendTo.length; k++) outs[k] = new Outgoing(msg, header, sendTo[k], channel);
        Incoming[] ins = new Incoming[recvFrom.length];
        for (int k = 0; k < recvFrom.length; k++) ins[k] = new Incoming(recvFrom[k], maxBytes, channel);

        long deadline = System.nanoTime() + timeoutNanos;
        for (int spins = 0; !allDone(outs, ins); spins++) {
            if (spins < 1000) {
                Thread.onSpinWait();
            } else {
                // parked in short slices so that ranks on few cores do not starve MPJ's progress threads
                LockSupport.parkNanos(20_000);
                if (System.nanoTime() - deadline > 0) break;
            }
        }

        Gathered got = new Gathered(rank, size, timeoutNanos / 1_000_000L);
        for (Incoming in : ins) in.report(got);
        if (sendsMustComplete) {
            for (Outgoing out : outs) {
                if (out.lost != null) throw new CommTimeoutException("rank " + rank + ": " + op + " failed waiting for rank "
                        + out.to + ": the connection to that rank was lost (it has probably died): " + out.lost);
                if (!out.done()) throw new CommTimeoutException("rank " + rank + ": " + op + " did not complete within "
                        + seconds() + " s waiting for rank " + out.to
                        + " (that rank has probably died or hung; the bound is the job's comm.timeout_s)");
            }
        }
        return got;
    }

    private static boolean allDone(Outgoing[] outs, Incoming[] ins) {
        boolean all = true;
        for (Outgoing out : outs) all &= out.poll();
        for (Incoming in : ins) all &= in.poll();
        return all;
    }

    private double seconds() { return timeoutNanos / 1e9; }

    /** One message on its way to one rank: the header and every chunk posted at once. */
    private final class Outgoing {
        final int to;
        private final Request[] requests;
        private int completed;
        String lost;

        Outgoing(byte[] msg, int[] header, int to, Channel channel) {
            this.to = to;
            int chunks = (msg.length + CHUNK_BYTES - 1) / CHUNK_BYTES;
            requests = new Request[1 + chunks];
            requests[0] = MPI.COMM_WORLD.Isend(header, 0, 1, MPI.INT, to, channel.headerTag);
            // an empty message has no chunks: MPJ mishandles zero-length messages
            for (int c = 0; c < chunks; c++) {
                int off = c * CHUNK_BYTES;
                requests[1 + c] = MPI.COMM_WORLD.Isend(msg, off, Math.min(CHUNK_BYTES, msg.length - off), MPI.BYTE, to, channel.chunkTag);
            }
            bytesSent += 4L + msg.length;
        }

        boolean done() { return completed == requests.length; }

        /** Tests the requests in order, each until it completes once (MPJ must not be asked again). */
        boolean poll() {
            try {
                while (!done() && lost == null && requests[completed].Test() != null) completed++;
            } catch (RuntimeException e) {
                lost = e.toString();
            }
            return done() || lost != null;
        }
    }

    /** One message being received from one rank: the header first, then one chunk at a time. */
    private final class Incoming {
        final int from, cap;
        private final Channel channel;
        private final int[] header = new int[1];
        private Request pending;
        private boolean headerArrived, complete;
        private int claimed, received, chunk;
        private byte[] data;
        private String rejected, lost;

        Incoming(int from, int cap, Channel channel) {
            this.from = from;
            this.cap = cap;
            this.channel = channel;
            pending = MPI.COMM_WORLD.Irecv(header, 0, 1, MPI.INT, from, channel.headerTag);
        }

        /** Advances as far as it can without blocking; true when nothing more will come. */
        boolean poll() {
            try {
                while (!complete && lost == null) {
                    if (pending.Test() == null) return false;
                    if (!headerArrived) {
                        headerArrived = true;
                        claimed = header[0];
                        bytesReceived += 4;
                        if (claimed < 0) {
                            // no honest sender claims this, and none sends chunks after it
                            rejected = "claimed " + claimed + " bytes";
                            complete = true;
                            break;
                        }
                        if (claimed > cap) rejected = Gathered.overCap(claimed, cap);
                        else data = new byte[claimed];
                    } else {
                        received += chunk;
                        bytesReceived += chunk;
                    }
                    if (received == claimed) {
                        complete = true;
                        break;
                    }
                    chunk = Math.min(CHUNK_BYTES, claimed - received);
                    pending = data != null
                            ? MPI.COMM_WORLD.Irecv(data, received, chunk, MPI.BYTE, from, channel.chunkTag)
                            : MPI.COMM_WORLD.Irecv(drainBuffer(), 0, chunk, MPI.BYTE, from, channel.chunkTag);
                }
            } catch (RuntimeException e) {
                lost = e.toString();
            }
            return true;
        }

        void report(Gathered got) {
            if (lost != null) got.miss(from, "the connection to that rank was lost (it has probably died): " + lost);
            else if (complete && rejected == null) got.ok(from, data);
            else if (rejected != null) got.reject(from, complete ? rejected
                    : rejected + "; of its bytes only " + received + " arrived by the deadline");
            else if (!headerArrived) got.miss(from, "nothing arrived by the deadline");
            else got.miss(from, "only " + received + " of " + claimed + " bytes arrived by the deadline");
        }
    }

    private byte[] drainBuffer() {
        if (drain == null) drain = new byte[CHUNK_BYTES];
        return drain;
    }
}
