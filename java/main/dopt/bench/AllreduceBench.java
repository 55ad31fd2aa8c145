package dopt.bench;

import dopt.comm.MpjCommunicator;
import java.util.Locale;
import mpi.MPI;

/**
 * Allreduce bandwidth in the style of the OSU and NCCL tests, run on every rank of an MPJ job
 * ({@code benchmarks/collectives.sh} starts it): for message sizes from 4 KiB to the given maximum,
 * dopt's ring allreduce against MPJ Express's own {@code Allreduce}, both in the same run. Reports
 * algorithm bandwidth (bytes / time) and bus bandwidth (algbw · 2(n−1)/n) and checks every result.
 * MPJ's Allreduce fails on messages of 256 MiB and more, so it is called on 32 MiB pieces there.
 */
public final class AllreduceBench {
    private AllreduceBench() { }

    public static void main(String[] argv) {
        String[] args = MpjCommunicator.init(argv);
        long maxBytes = args.length > 0 ? Long.parseLong(args[0]) : 64L << 20;
        String label = args.length > 1 ? args[1] : "";
        MpjCommunicator comm = MpjCommunicator.world(600_000);
        int r = comm.rank(), n = comm.size();
        if (r == 0) {
            System.out.println("# allreduce (sum, float32), " + n + " ranks " + label + "; dopt path: "
                    + (comm.sharedMemory() ? "shared memory" : "ring over MPJ point-to-point"));
            System.out.println("| size | dopt: time | algbw | busbw | MPJ Allreduce: time | algbw | busbw | bus ratio |");
            System.out.println("|---|---|---|---|---|---|---|---|");
        }
        for (long bytes = 4096; bytes <= maxBytes; bytes *= 4) {
            int len = (int) (bytes / 4);
            float[] buf = new float[len], recv = new float[len];
            int iters = (int) Math.max(2, Math.min(50, (64L << 20) / bytes));
            double ours = time(() -> comm.allreduceSum(buf, 0, len), buf, r, iters, comm);
            check(buf, n, "dopt", bytes);
            double theirs = time(() -> mpjAllreduce(buf, recv, len), buf, r, iters, comm);
            check(recv, n, "MPJ", bytes);
            if (r == 0) {
                double f = 2.0 * (n - 1) / n;
                double a1 = bytes / ours / 1e9, a2 = bytes / theirs / 1e9;
                System.out.println(String.format(Locale.ROOT, "| %s | %.3f ms | %.2f GB/s | %.2f GB/s | %.3f ms | %.2f GB/s | %.2f GB/s | %.2f |",
                        size(bytes), ours * 1e3, a1, a1 * f, theirs * 1e3, a2, a2 * f, a1 / a2));
            }
        }
        comm.close();
    }

    private static final int MPJ_CHUNK = 8 << 20;
    private static final float[] CHUNK_IN = new float[MPJ_CHUNK], CHUNK_OUT = new float[MPJ_CHUNK];

    /**
     * MPJ's Allreduce on 32 MiB pieces. Pieces go through offset-0 buffers: with a non-zero offset
     * MPJ 0.44 returned wrong sums here (seen at 64 MiB: the second piece came back unreduced).
     */
    private static void mpjAllreduce(float[] buf, float[] recv, int len) {
        if (len <= MPJ_CHUNK) {
            MPI.COMM_WORLD.Allreduce(buf, 0, recv, 0, len, MPI.FLOAT, MPI.SUM);
            return;
        }
        for (int off = 0; off < len; off += MPJ_CHUNK) {
            int n = Math.min(MPJ_CHUNK, len - off);
            System.arraycopy(buf, off, CHUNK_IN, 0, n);
            MPI.COMM_WORLD.Allreduce(CHUNK_IN, 0, CHUNK_OUT, 0, n, MPI.FLOAT, MPI.SUM);
            System.arraycopy(CHUNK_OUT, 0, recv, off, n);
        }
    }

    /** Mean seconds per call after one warm-up; every rank's buffer is reset to rank+1 before each call. */
    private static double time(Runnable op, float[] buf, int rank, int iters, MpjCommunicator comm) {
        java.util.Arrays.fill(buf, rank + 1);
        op.run();
        double total = 0;
        for (int i = 0; i < iters; i++) {
            java.util.Arrays.fill(buf, rank + 1);
            comm.barrier();
            long t0 = System.nanoTime();
            op.run();
            total += System.nanoTime() - t0;
        }
        float[] t = {(float) (total / iters / 1e9)};
        comm.allreduceSum(t, 0, 1); // the mean over ranks of each rank's time
        return t[0] / comm.size();
    }

    private static void check(float[] v, int n, String who, long bytes) {
        float expect = n * (n + 1) / 2f;
        for (int i = 0; i < v.length; i += 997)
            if (v[i] != expect) throw new IllegalStateException(who + " allreduce of " + size(bytes) + " is wrong at " + i + ": " + v[i]);
    }

    private static String size(long b) {
        return b >= 1 << 20 ? (b >> 20) + " MiB" : (b >> 10) + " KiB";
    }
}
