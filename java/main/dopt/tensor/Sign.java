package dopt.tensor;

/**
 * The element-wise sign, exactly {@link Math#signum(float)} (±1 for non-zero numbers and the
 * infinities, ±0 and NaN returned as they are), optionally times a scale: signSGD's direction.
 *
 * <p>JDK 17's C2 does not vectorise {@code Math.signum} (it branches on zero and NaN): a loop of it
 * ran at about 4.4 ns per element, several times slower than the memory it touches. Here the loop
 * runs on {@link VectorSign} (the Vector API: one compare-and-blend per vector) when the JVM was
 * started with {@code --add-modules=jdk.incubator.vector}, as {@link Dense}'s products do, else on
 * a branch-free scalar loop on the bits. Both give the same bits as {@code Math.signum}, and
 * {@code scale * Math.signum(x)} for the scaled form (the same multiplication, in the same order).
 */
public final class Sign {
    private Sign() { }

    private static final int SIGN_BIT = 0x8000_0000, ONE = 0x3f80_0000, ABS = 0x7fff_ffff, INF = 0x7f80_0000;

    /** x[i] ← Math.signum(x[i]) for i in [from, to). */
    public static void signum(float[] x, int from, int to) {
        java.util.Objects.checkFromToIndex(from, to, x.length);
        if (Dense.simd()) VectorSign.signum(x, from, to);
        else scalarSignum(x, from, to);
    }

    /** x[i] ← scale · Math.signum(x[i]) for i in [from, to). */
    public static void scaledSignum(float[] x, int from, int to, float scale) {
        java.util.Objects.checkFromToIndex(from, to, x.length);
        if (Dense.simd()) VectorSign.scaledSignum(x, from, to, scale);
        else scalarScaledSignum(x, from, to, scale);
    }

    /**
     * Math.signum on the bits, without branches: a float whose magnitude bits lie in [1, 0x7f800000]
     * (non-zero, finite or infinite, not NaN) becomes ±1.0f with its sign bit, anything else (±0,
     * NaN) keeps its bits. {@code a - 1 < 0x7f800000} as an unsigned comparison, spelled with shifts.
     */
    static float signumBits(float v) {
        int b = Float.floatToRawIntBits(v);
        int a = (b & ABS) - 1;                      // −1 for ±0
        int keep = ((a - INF) & ~a) >> 31;          // all ones when 0 <= a < INF, i.e. ±1 is the answer
        return Float.intBitsToFloat((b & ~keep) | (((b & SIGN_BIT) | ONE) & keep));
    }

    /** The scalar loop (the fallback without the Vector API, and the vector loops' tail). */
    static void scalarSignum(float[] x, int from, int to) {
        for (int i = from; i < to; i++) x[i] = signumBits(x[i]);
    }

    static void scalarScaledSignum(float[] x, int from, int to, float scale) {
        for (int i = from; i < to; i++) x[i] = scale * signumBits(x[i]);
    }
}
