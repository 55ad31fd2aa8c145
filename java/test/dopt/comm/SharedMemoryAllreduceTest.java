package dopt.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * The multicore rendezvous belongs to one job: a second job of the same size in the same JVM
 * neither meets the first nor inherits what the first left broken, and the last rank to close
 * removes it. (Keyed by the job size alone, the second job below failed at once on the first
 * job's broken barrier.)
 */
class SharedMemoryAllreduceTest {

    /** Runs one job of {@code size} thread ranks; element r is rank r's failure or its allreduced buffer. */
    private static AtomicReferenceArray<Object> job(String launchId, int size, long timeoutMillis, int silentRank, float base)
            throws InterruptedException {
        AtomicReferenceArray<Object> out = new AtomicReferenceArray<>(size);
        Thread[] ranks = new Thread[size];
        for (int r = 0; r < size; r++) {
            int rank = r;
            ranks[r] = new Thread(() -> {
                if (rank == silentRank) return;
                SharedMemoryAllreduce shm = new SharedMemoryAllreduce(rank, size, timeoutMillis, launchId);
                try {
                    float[] buf = {base + 0.1f * rank, base - 0.3f * rank, 0.7f};
                    shm.allreduceSum(buf, 0, buf.length);
                    shm.barrier();
                    out.set(rank, buf);
                    shm.close();
                } catch (RuntimeException e) {
                    out.set(rank, e);
                }
            });
            ranks[r].start();
        }
        for (Thread t : ranks) t.join();
        return out;
    }

    @Test
    void aJobOfTheSameSizeAfterAFailedOneIsNotHarmedByIt() throws Exception {
        String failed = "test-failed-" + System.nanoTime(), next = "test-next-" + System.nanoTime();
        AtomicReferenceArray<Object> first = job(failed, 2, 100, 1, 1f);
        assertInstanceOf(CommTimeoutException.class, first.get(0), "the first job's rank 0 waits for its silent rank 1");

        AtomicReferenceArray<Object> second = job(next, 2, 10_000, -1, 2f);
        for (int r = 0; r < 2; r++) {
            assertInstanceOf(float[].class, second.get(r), "rank " + r + " of the second job: " + second.get(r));
            float[] buf = (float[]) second.get(r);
            assertEquals(Float.floatToRawIntBits(2f + (2f + 0.1f)), Float.floatToRawIntBits(buf[0]), "rank " + r);
            assertEquals(Float.floatToRawIntBits(2f + (2f - 0.3f)), Float.floatToRawIntBits(buf[1]), "rank " + r);
            assertEquals(Float.floatToRawIntBits(0.7f + 0.7f), Float.floatToRawIntBits(buf[2]), "rank " + r);
        }
    }

    @Test
    void theLastRankToCloseRemovesTheRendezvous() throws Exception {
        List<String> before = SharedMemoryAllreduce.openKeys();
        AtomicReferenceArray<Object> done = job("test-closed-" + System.nanoTime(), 3, 10_000, -1, 1f);
        for (int r = 0; r < 3; r++) assertInstanceOf(float[].class, done.get(r), "rank " + r);
        assertEquals(before, SharedMemoryAllreduce.openKeys());
    }
}
