package dopt.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Sign}'s loops with explicit SIMD (the JDK's incubating Vector API). Per vector: ±1 built
 * from the sign bits ({@code (bits & 0x80000000) | 0x3f800000}), and the lanes that are ±0 or NaN
 * blended back to the input, so each lane is exactly {@code Math.signum} of it. Loaded only when
 * the module is present.
 */
final class VectorSign {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorSign() { }

    /** ±1 with v's sign bits where v is non-zero and not NaN, v itself elsewhere. */
    private static FloatVector signum(FloatVector v) {
        VectorMask<Float> keep = v.compare(VectorOperators.EQ, 0f).or(v.compare(VectorOperators.NE, v)); // ±0, NaN
        FloatVector ones = ((IntVector) v.reinterpretAsInts()).and(0x8000_0000).or(0x3f80_0000).reinterpretAsFloats();
        return ones.blend(v, keep);
    }

    static void signum(float[] x, int from, int to) {
        int i = from, upper = from + S.loopBound(to - from);
        for (; i < upper; i += S.length()) signum(FloatVector.fromArray(S, x, i)).intoArray(x, i);
        Sign.scalarSignum(x, i, to);
    }

    static void scaledSignum(float[] x, int from, int to, float scale) {
        FloatVector s = FloatVector.broadcast(S, scale);
        int i = from, upper = from + S.loopBound(to - from);
        for (; i < upper; i += S.length()) s.mul(signum(FloatVector.fromArray(S, x, i))).intoArray(x, i);
        Sign.scalarScaledSignum(x, i, to, scale);
    }
}
