package dopt.train;

import dopt.comm.Communicator;
import dopt.tensor.Param;
import java.nio.ByteBuffer;
import java.util.List;

/** Checks that every rank holds bit-identical parameters: an FNV-1a hash of their bits, gathered and compared. */
final class ReplicaCheck {
    private ReplicaCheck() { }

    /** A collective call; throws {@link ReplicaMismatchException} naming the first rank that differs. */
    static void verify(List<Param> params, Communicator comm, long step) {
        long h = hash(params);
        byte[][] all = comm.allgatherBytes(ByteBuffer.allocate(8).putLong(h).array());
        for (int r = 0; r < all.length; r++) {
            long other = ByteBuffer.wrap(all[r]).getLong();
            if (other != h)
                throw new ReplicaMismatchException("after step " + step + " rank " + r + " holds parameters (hash "
                        + Long.toHexString(other) + ") that differ from rank " + comm.rank() + "'s (hash " + Long.toHexString(h) + ")");
        }
    }

    static long hash(List<Param> params) {
        long h = 0xcbf29ce484222325L;
        for (Param p : params)
            for (float f : p.value()) h = (h ^ Float.floatToRawIntBits(f)) * 0x100000001b3L;
        return h;
    }
}
