package dopt.comm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Allreduce through shared memory for MPJ's {@code multicore} device, where the ranks are threads
 * of one JVM. Each rank publishes its buffer; rank r sums block r of all buffers in rank order and
 * writes the sum into block r of every buffer; a second barrier ends the call. Every element is
 * read and written once per rank without any copy through MPJ, which is where MPJ's own Allreduce
 * loses most of the machine's memory bandwidth.
 *
 * <p>MPJ gives each rank its own class loader, so no dopt class is shared between ranks; the
 * rendezvous is a JDK map kept in the JVM's system properties (JDK classes are common to all
 * loaders), keyed by a launch id that is unique to the job (so two jobs in one JVM, or a job after
 * one that failed and left a broken barrier behind, never meet) and removed when the last rank
 * closes. All waits are bounded: a rank that does not arrive makes the others fail with
 * {@link CommTimeoutException}.
 */
final class SharedMemoryAllreduce implements AutoCloseable {
    private static final int CHUNK = 4096;
    private static final String KEY_PREFIX = "dopt.shared-memory-allreduce.";

    private final int rank, size;
    private final long timeoutNanos;
    private final String key;
    private final Object[] shared;
    private final Object[] slots;
    private final int[] offsets;
    private final CyclicBarrier barrier;
    private final AtomicInteger open;
    private final float[] scratch = new float[CHUNK];
    private boolean closed;

    /**
     * Joins the rendezvous of the job {@code launchId}; every rank of the job must pass the same
     * id, and no other job in this JVM may use it.
     */
    SharedMemoryAllreduce(int rank, int size, long timeoutMillis, String launchId) {
        this.rank = rank;
        this.size = size;
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.key = KEY_PREFIX + launchId + "." + size;
        Map<Object, Object> props = System.getProperties();
        this.shared = (Object[]) props.computeIfAbsent(key,
                k -> new Object[] {new Object[size], new int[size], new CyclicBarrier(size), new AtomicInteger(size)});
        this.slots = (Object[]) shared[0];
        this.offsets = (int[]) shared[1];
        this.barrier = (CyclicBarrier) shared[2];
        this.open = (AtomicInteger) shared[3];
    }

    /** The system-property keys of the rendezvous now open in this JVM (for tests). */
    static List<String> openKeys() {
        List<String> keys = new ArrayList<>();
        for (Object k : System.getProperties().keySet())
            if (k instanceof String s && s.startsWith(KEY_PREFIX)) keys.add(s);
        return keys;
    }

    /** Leaves the rendezvous; the last rank of the job to leave removes it from the JVM. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (open.decrementAndGet() == 0) System.getProperties().remove(key, shared);
    }

    void allreduceSum(float[] buf, int off, int len) {
        slots[rank] = buf;
        offsets[rank] = off;
        await("allreduce");
        int lo = Communicator.blockStart(len, size, rank), hi = Communicator.blockStart(len, size, rank + 1);
        for (int c = lo; c < hi; c += CHUNK) {
            int n = Math.min(CHUNK, hi - c);
            float[] s = scratch;
            System.arraycopy((float[]) slots[0], offsets[0] + c, s, 0, n);
            for (int q = 1; q < size; q++) {
                float[] b = (float[]) slots[q];
                int o = offsets[q] + c;
                for (int i = 0; i < n; i++) s[i] += b[o + i];
            }
            for (int q = 0; q < size; q++) System.arraycopy(s, 0, (float[]) slots[q], offsets[q] + c, n);
        }
        await("allreduce");
    }

    void barrier() {
        await("barrier");
    }

    void barrier(long boundNanos) {
        await("barrier", boundNanos);
    }

    private void await(String op) {
        await(op, timeoutNanos);
    }

    private void await(String op, long boundNanos) {
        try {
            barrier.await(boundNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | BrokenBarrierException e) {
            throw new CommTimeoutException("rank " + rank + ": " + op + " (shared memory) did not complete within "
                    + boundNanos / 1_000_000_000.0 + " s: another rank has died or hung (the bound is the job's comm.timeout_s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommTimeoutException("rank " + rank + ": " + op + " interrupted");
        }
    }
}
