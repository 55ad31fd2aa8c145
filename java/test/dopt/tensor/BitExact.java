package dopt.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** Test assertions that two runs hold the very same bits (NaN payloads and −0.0 included). */
public final class BitExact {
    private BitExact() { }

    public static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++)
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + "[" + i + "]");
    }

    /** Every parameter value of {@code actual} equals {@code expected}'s, bit for bit. */
    public static void assertSameParams(List<Param> expected, List<Param> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": parameter count");
        for (int i = 0; i < expected.size(); i++)
            assertSameBits(expected.get(i).value(), actual.get(i).value(), what + " " + expected.get(i).name());
    }
}
