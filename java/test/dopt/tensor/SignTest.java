package dopt.tensor;

import static dopt.tensor.BitExact.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

/**
 * {@link Sign} gives exactly {@code Math.signum}'s bits (±0 and NaN payloads kept, infinities and
 * subnormals to ±1) on the Vector API path, on the scalar fallback (called directly, as a JVM
 * without the module would), and on the vector loops' tails: lengths and offsets that are not a
 * multiple of the vector width.
 */
class SignTest {
    private static final float[] SPECIAL = {
        0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc0_0001), Float.intBitsToFloat(0x7f80_0001), // a negative and a signalling NaN
        Float.intBitsToFloat(0xff80_1234), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MIN_NORMAL, -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.5f, -2.5e-8f, 3e12f, -7f,
    };

    /** Special values repeated through the array, random bit patterns (many NaNs among them) and ordinary numbers. */
    private static float[] data(int n, long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = rng.nextInt(3);
            x[i] = kind == 0 ? SPECIAL[rng.nextInt(SPECIAL.length)]
                    : kind == 1 ? Float.intBitsToFloat((int) rng.nextLong()) : (float) (rng.nextGaussian() * 1e-3);
        }
        return x;
    }

    private static float[] expected(float[] x, int from, int to, float scale, boolean scaled) {
        float[] e = x.clone();
        for (int i = from; i < to; i++) e[i] = scaled ? scale * Math.signum(x[i]) : Math.signum(x[i]);
        return e;
    }

    @Test
    void specialValuesGiveMathSignumsBitsOnEveryPath() {
        for (float v : SPECIAL) {
            assertEquals(Float.floatToRawIntBits(Math.signum(v)), Float.floatToRawIntBits(Sign.signumScalar(v)), "scalar sign of " + v);
        }
        // ±0 keep their sign, NaN stays the same NaN: the cases a copySign would get wrong
        float[] x = {0f, -0f, Float.NaN, 5f, -5f};
        Sign.signum(x, 0, x.length);
        assertSameBits(new float[] {0f, -0f, Float.NaN, 1f, -1f}, x, "signum");
    }

    @Test
    void randomBitPatternsGiveMathSignumsBits() {
        Rng rng = new Rng(7);
        for (int i = 0; i < 2_000_000; i++) {
            float v = Float.intBitsToFloat((int) rng.nextLong());
            int want = Float.floatToRawIntBits(Math.signum(v)), got = Float.floatToRawIntBits(Sign.signumScalar(v));
            if (want != got) assertEquals(want, got, "sign of bits " + Integer.toHexString(Float.floatToRawIntBits(v)));
        }
    }

    @Test
    void everyPathEqualsMathSignumOnRangesNotAMultipleOfTheVectorWidth() {
        int[] lengths = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 1000, 4099};
        float[] scales = {1f, 1e-3f, -0.25f, 0f, -0f};
        for (int n : lengths) {
            for (int from : new int[] {0, 1, 5}) {
                if (from > n) continue;
                for (int to : new int[] {n, n - Math.min(n - from, 3)}) {
                    float[] x = data(n, 31L * n + from + to);
                    String at = " n=" + n + " [" + from + ", " + to + ")";
                    float[] a = x.clone(), b = x.clone();
                    Sign.signum(a, from, to);
                    Sign.scalarSignum(b, from, to);
                    assertSameBits(expected(x, from, to, 1f, false), a, "signum" + at);
                    assertSameBits(expected(x, from, to, 1f, false), b, "scalar signum" + at);
                    if (Dense.simd()) {
                        float[] c = x.clone();
                        VectorSign.signum(c, from, to);
                        assertSameBits(expected(x, from, to, 1f, false), c, "vector signum" + at);
                    }
                    for (float s : scales) {
                        float[] e = expected(x, from, to, s, true);
                        a = x.clone();
                        b = x.clone();
                        Sign.scaledSignum(a, from, to, s);
                        Sign.scalarScaledSignum(b, from, to, s);
                        assertSameBits(e, a, "scaled signum " + s + at);
                        assertSameBits(e, b, "scalar scaled signum " + s + at);
                        if (Dense.simd()) {
                            float[] c = x.clone();
                            VectorSign.scaledSignum(c, from, to, s);
                            assertSameBits(e, c, "vector scaled signum " + s + at);
                        }
                    }
                }
            }
        }
    }

    @Test
    void theTestsRanTheVectorPathAndRangesAreChecked() {
        // the surefire configuration starts the JVM with --add-modules=jdk.incubator.vector
        assertTrue(Dense.simd(), "the Vector API path was not tested");
        assertThrows(IndexOutOfBoundsException.class, () -> Sign.signum(new float[4], 2, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> Sign.scaledSignum(new float[4], 3, 2, 1f));
    }
}
