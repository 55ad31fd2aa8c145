package dopt.compress;

import dopt.random.Rng;

/**
 * A gradient compressor C. {@link #compress} writes C(x) in decompressed (dense) form, which is
 * what error feedback and the optimizer need, and returns the exact number of bytes its wire
 * encoding takes (indices, values, bit-packed signs, norms). Contractive compressors satisfy
 * ‖C(x) − x‖² ≤ (1 − α)‖x‖² ({@link #alpha}); unbiased ones E C(x) = x and
 * E‖C(x) − x‖² ≤ ω‖x‖² ({@link #omega}). Definitions as in Richtárik, Sokolov and Fatkhullin 2021
 * (EF21), Section 2.
 */
public interface Compressor {

    /** out[0, n) = C(x[0, n)); returns the wire bytes. {@code rng} is used by random compressors only. */
    long compress(float[] x, float[] out, int n, Rng rng);

    /** The contraction parameter α in (0, 1] for vectors of length n, or NaN if not contractive. */
    double alpha(int n);

    /** The variance parameter ω for vectors of length n, or NaN if biased. */
    double omega(int n);

    /** A short name with the level, e.g. "topk(1%)". */
    String name();

    /**
     * Writes the wire encoding of {@code compressed} (the output of this compressor's last
     * {@link #compress} call on this rank); exactly as many bytes as that call returned.
     */
    void encode(float[] compressed, int n, java.nio.ByteBuffer out);

    /** The exact size of the wire encoding of n entries, which every message must have (a cap for receiving it). */
    long wireBytes(int n);

    /**
     * Decodes one message, which fills {@code in} from its position to its limit, and adds {@code
     * weight} times it to {@code acc[0, n)}. The message comes from a peer and is not trusted: the
     * whole of it is checked first (length exactly {@link #wireBytes}, indices, level codes, header
     * fields), and a bad one throws {@link MalformedMessageException} with {@code acc} untouched.
     * Nothing is allocated at a size the message claims.
     */
    void decodeAdd(java.nio.ByteBuffer in, int n, float[] acc, float weight);

    /** Bytes of the uncompressed float32 vector, for ratios. */
    static long denseBytes(int n) { return 4L * n; }
}
