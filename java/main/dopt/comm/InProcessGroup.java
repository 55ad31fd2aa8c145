package dopt.comm;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the thread ranks of one {@link InProcessCommunicator} group share: a rendezvous for the
 * float collectives (each rank publishes its buffer, then waits until every rank has arrived) and
 * FIFO mailboxes for byte messages, one per (channel, sender, receiver) like MPJ's (tag, source)
 * matching. One lock guards both; every wait is bounded by the group's deadline and names the
 * ranks it waited for. A rank that failed ({@link #abort}) or left ({@link #depart}) wakes its
 * waiting peers at once instead of letting them run into the deadline.
 */
final class InProcessGroup {
    static final int CHANNELS = 4;

    final int size;
    final long timeoutNanos;
    /** The buffer and offset each rank publishes for the float collective in progress. */
    final float[][] buffers;
    final int[] offsets;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long[] arrivals;
    private final String[] ops;
    private final int[] lens;
    private final boolean[] departed;
    private final ArrayDeque<byte[]>[] mailboxes;
    private String abortReason;

    @SuppressWarnings("unchecked")
    InProcessGroup(int size, long timeoutMillis) {
        this.size = size;
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.buffers = new float[size][];
        this.offsets = new int[size];
        this.arrivals = new long[size];
        this.ops = new String[size];
        this.lens = new int[size];
        this.departed = new boolean[size];
        this.mailboxes = new ArrayDeque[CHANNELS * size * size];
    }

    /**
     * Waits until every rank has called this as often as {@code rank} has, i.e. has reached the
     * same step of the same collective. The last rank to arrive checks that all ranks called the
     * same operation with the same length: MPJ would hang or garble on a mismatch, here it fails
     * at once with both calls named.
     */
    void rendezvous(int rank, String op, int len) {
        rendezvous(rank, op, len, timeoutNanos);
    }

    /** As {@link #rendezvous(int, String, int)} with its own bound. */
    void rendezvous(int rank, String op, int len, long boundNanos) {
        long deadline = System.nanoTime() + boundNanos;
        lock.lock();
        try {
            ops[rank] = op;
            lens[rank] = len;
            long generation = ++arrivals[rank];
            if (allArrived(generation)) {
                checkSameCall();
                changed.signalAll();
            }
            while (!allArrived(generation)) {
                failIfAborted(rank, op);
                for (int q = 0; q < size; q++)
                    if (arrivals[q] < generation && departed[q])
                        throw new CommTimeoutException("rank " + rank + ": " + op + " waiting for rank " + q
                                + ", which has already closed its communicator");
                long left = deadline - System.nanoTime();
                if (left <= 0) throw timeout(rank, op, missing(generation), boundNanos);
                awaitNanos(rank, op, left);
            }
            failIfAborted(rank, op);
        } finally {
            lock.unlock();
        }
    }

    /** Leaves {@code msg} for {@code to} on {@code channel}; never blocks (an eager send). */
    void post(int channel, int from, int to, byte[] msg) {
        lock.lock();
        try {
            int box = box(channel, from, to);
            if (mailboxes[box] == null) mailboxes[box] = new ArrayDeque<>();
            mailboxes[box].addLast(msg);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The oldest message from {@code from} to {@code to} on {@code channel}, or null when none has
     * come by {@code deadline} (a {@link System#nanoTime} value) or the sender has closed without
     * sending one ({@link #whyMissing} tells which). Throws only when the group was aborted.
     */
    byte[] take(int channel, int from, int to, long deadline, String op) {
        lock.lock();
        try {
            int box = box(channel, from, to);
            while (mailboxes[box] == null || mailboxes[box].isEmpty()) {
                failIfAborted(to, op);
                long left = deadline - System.nanoTime();
                if (departed[from] || left <= 0) return null;
                awaitNanos(to, op, left);
            }
            return mailboxes[box].removeFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Why {@link #take} found no message from {@code from}. */
    String whyMissing(int from) {
        lock.lock();
        try {
            return departed[from] ? "it has already closed its communicator"
                    : "nothing arrived by the deadline";
        } finally {
            lock.unlock();
        }
    }

    /** {@code rank} will make no more calls: peers waiting for it fail now, not at the deadline. */
    void depart(int rank) {
        lock.lock();
        try {
            departed[rank] = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** {@code rank} failed with {@code cause}: every wait in the group fails now, naming it. */
    void abort(int rank, Throwable cause) {
        lock.lock();
        try {
            if (abortReason == null) abortReason = "rank " + rank + " failed: " + cause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean allArrived(long generation) {
        for (int q = 0; q < size; q++) if (arrivals[q] < generation) return false;
        return true;
    }

    private String missing(long generation) {
        StringBuilder s = new StringBuilder();
        for (int q = 0; q < size; q++)
            if (arrivals[q] < generation) s.append(s.length() == 0 ? "" : ", ").append(q);
        return s.toString();
    }

    private void checkSameCall() {
        for (int q = 1; q < size; q++) {
            if (!ops[q].equals(ops[0]) || lens[q] != lens[0]) {
                abortReason = "collective mismatch: rank 0 called " + ops[0] + " (length " + lens[0] + "), rank " + q
                        + " called " + ops[q] + " (length " + lens[q] + ")";
                return;
            }
        }
    }

    private void failIfAborted(int rank, String op) {
        if (abortReason != null) throw new CommTimeoutException("rank " + rank + ": " + op + " abandoned: " + abortReason);
    }

    private void awaitNanos(int rank, String op, long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failIfAborted(rank, op);
            throw new CommTimeoutException("rank " + rank + ": " + op + " interrupted");
        }
    }

    private CommTimeoutException timeout(int rank, String op, String peers) {
        return timeout(rank, op, peers, timeoutNanos);
    }

    private CommTimeoutException timeout(int rank, String op, String peers, long boundNanos) {
        return new CommTimeoutException("rank " + rank + ": " + op + " did not complete within "
                + TimeUnit.NANOSECONDS.toMillis(boundNanos) / 1000.0 + " s waiting for rank " + peers
                + " (that rank has probably died or hung; the bound is the job's comm.timeout_s)");
    }

    private int box(int channel, int from, int to) {
        return (channel * size + from) * size + to;
    }
}
