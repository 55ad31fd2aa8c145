package dopt.tensor;

/**
 * The element-wise sign, exactly {@link Math#signum(float)} (±1 for non-zero numbers and the
 * infinities, ±0 and NaN returned as they are), optionally times a scale: signSGD's direction.
 *
 * <p>JDK 17's C2 compiles {@code Math.signum} to an intrinsic (-XX:+PrintIntrinsics) that its
 * auto-vectoriser does not handle: a loop of it ran at about 4.4 ns per element, several times
 * slower than the memory it touches. Here the loop
 * runs on {@link VectorSign} (the Vector API: one compare-and-blend per vector) when the JVM was
 * started with {@code --add-modules=jdk.incubator.vector}, as {@link Dense}'s products do, else on
 * a scalar loop. Both give the same bits as {@code Math.signum}, and
 * {@code scale * Math.signum(x)} for the scaled form (the same multiplication, in the same order).
 */
public final class Sign {
    private Sign() { }

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
     * Math.signum written out as the JDK's own source spells it (JDK 17's C2 replaces a call of
     * {@code Math.signum} by an intrinsic). On 20 M floats it took 43 ms where the Math.signum loop
     * took 88 ms, both in one plain JVM, interleaved, and a branch-free version on the bits 68 ms;
     * but in JMH (OptimSignBench without the module) the Math.signum loop took 40 ms and this one
     * 45 ms. Either way the Vector API path is several times faster; this only runs without it.
     */
    static float signumScalar(float v) {
        return v == 0f || v != v ? v : Math.copySign(1f, v);
    }

    /** The scalar loop (the fallback without the Vector API, and the vector loops' tail). */
    static void scalarSignum(float[] x, int from, int to) {
        for (int i = from; i < to; i++) x[i] = signumScalar(x[i]);
    }

    static void scalarScaledSignum(float[] x, int from, int to, float scale) {
        for (int i = from; i < to; i++) x[i] = scale * signumScalar(x[i]);
    }
}
