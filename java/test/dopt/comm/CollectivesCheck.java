package dopt.comm;

import dopt.random.Rng;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs on every rank of a real MPJ job (started by {@link MpjCollectivesIT}) and checks each
 * collective against a plain reduction computed locally: odd sizes, sizes not divisible by the rank
 * count, one element, and (with "big") a message larger than MPJ's 256 MiB failure point. Rank 0
 * writes "OK" to the given file only when every check on every rank passed.
 */
public final class CollectivesCheck {
    public static void main(String[] argv) throws Exception {
        String[] args = MpjCommunicator.init(argv);
        Path marker = Path.of(args[0]);
        boolean big = args.length > 1 && args[1].equals("big");
        MpjCommunicator comm = MpjCommunicator.world(60_000);
        int r = comm.rank(), n = comm.size();
        int failures = 0;
        int[] sizes = big ? new int[] {70_000_003} : new int[] {1, 2, 3, 7, 1000, 4097, (1 << 20) + 5};
        for (int len : sizes) {
            // small integers: every order of summation gives the exact same float
            float[] buf = new float[len];
            for (int i = 0; i < len; i++) buf[i] = value(r, i);
            comm.allreduceSum(buf, 0, len);
            for (int i = 0; i < len; i++) {
                float expect = 0;
                for (int q = 0; q < n; q++) expect += value(q, i);
                if (buf[i] != expect) { failures++; System.err.println("allreduce len " + len + " i " + i + ": " + buf[i] + " != " + expect); break; }
            }
            if (big) continue;
            float[] mean = new float[len];
            for (int i = 0; i < len; i++) mean[i] = value(r, i);
            comm.allreduceMean(mean, 0, len);
            for (int i = 0; i < len; i++) {
                float expect = 0;
                for (int q = 0; q < n; q++) expect += value(q, i);
                if (mean[i] != expect * (1f / n)) { failures++; System.err.println("mean len " + len + " i " + i); break; }
            }
            float[] rs = new float[len];
            for (int i = 0; i < len; i++) rs[i] = value(r, i);
            comm.reduceScatterSum(rs, 0, len);
            for (int i = comm.blockStart(len, r); i < comm.blockStart(len, r + 1); i++) {
                float expect = 0;
                for (int q = 0; q < n; q++) expect += value(q, i);
                if (rs[i] != expect) { failures++; System.err.println("reduce-scatter len " + len + " i " + i); break; }
            }
            float[] bc = new float[len];
            int root = len % n;
            if (r == root) for (int i = 0; i < len; i++) bc[i] = i * 0.5f + root;
            comm.broadcast(bc, 0, len, root);
            for (int i = 0; i < len; i++) if (bc[i] != i * 0.5f + root) { failures++; System.err.println("broadcast len " + len); break; }
            float[] mine = new float[len];
            for (int i = 0; i < len; i++) mine[i] = value(r, i);
            float[] all = new float[len * n];
            comm.allgather(mine, 0, len, all, 0);
            for (int q = 0; q < n; q++)
                for (int i = 0; i < len; i++) if (all[q * len + i] != value(q, i)) { failures++; System.err.println("allgather len " + len); q = n; break; }
        }
        // arbitrary floats: the sum depends on the order, but every rank must get the same bits
        Rng rng = Rng.derive(7, r);
        float[] noisy = new float[100_003];
        for (int i = 0; i < noisy.length; i++) noisy[i] = (float) rng.nextGaussian();
        comm.allreduceSum(noisy, 0, noisy.length);
        long h = 17;
        for (float f : noisy) h = h * 31 + Float.floatToRawIntBits(f);
        byte[][] hashes = comm.allgatherBytes(ByteBuffer.allocate(8).putLong(h).array());
        byte[][] ragged = comm.allgatherBytes(new byte[r % 2 == 0 ? 0 : r + 3]); // empty from even ranks
        for (int q = 0; q < n; q++) if (ragged[q].length != (q % 2 == 0 ? 0 : q + 3)) { failures++; System.err.println("allgatherBytes lengths"); }
        for (byte[] b : hashes) if (ByteBuffer.wrap(b).getLong() != h) { failures++; System.err.println("allreduce results differ across ranks"); }
        comm.barrier();
        float[] count = {failures};
        comm.allreduceSum(count, 0, 1);
        if (r == 0) {
            Files.writeString(marker, count[0] == 0 ? "OK ranks=" + n + " sent=" + comm.bytesSent() + "\n" : "FAILED " + count[0] + "\n");
        }
        comm.close();
    }

    private static float value(int rank, int i) { return (rank + 1) * 3 + (i % 13); }
}
