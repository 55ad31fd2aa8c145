package dopt.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every decoder treats a message as a peer's and checks all of it before it adds anything: a bad
 * message throws {@link MalformedMessageException} with a reason, and the accumulator keeps every
 * bit it had. The bad messages are honest encodings with one defect each, most of them at the end,
 * so a decoder that adds while it reads would already have changed the accumulator.
 */
class DecoderValidationTest {
    private static final int N = 37;

    private static List<Compressor> all() {
        return List.of(new TopK(0.1), new TopK(1.0), new RandK(0.3), new ScaledSign(), new Qsgd(1), new Qsgd(5), new Qsgd(255),
                new NaturalDithering(3), new NaturalDithering(5), new NaturalDithering(8, Double.POSITIVE_INFINITY));
    }

    /** An honest message of {@code c} for a Gaussian vector of n entries. */
    private static byte[] honest(Compressor c, int n) {
        Rng data = new Rng(5);
        float[] x = new float[n], out = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) data.nextGaussian();
        ByteBuffer buf = ByteBuffer.allocate((int) c.compress(x, out, n, new Rng(9)));
        c.encode(out, n, buf);
        assertEquals(buf.capacity(), buf.position(), c.name() + ": the encoding fills what compress claimed");
        assertEquals(buf.capacity(), c.wireBytes(n), c.name() + ": wireBytes is the encoded size");
        return buf.array();
    }

    /** Decoding {@code msg} throws with a reason containing {@code reason}, and the accumulator is bit for bit unchanged. */
    private static void assertRefused(Compressor c, byte[] msg, int n, String reason) {
        float[] acc = new float[n];
        Rng r = new Rng(1);
        for (int i = 0; i < n; i++) acc[i] = (float) r.nextGaussian();
        float[] before = acc.clone();
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> c.decodeAdd(ByteBuffer.wrap(msg), n, acc, 0.25f),
                c.name() + ": expected a refusal for " + reason);
        assertTrue(e.getMessage().contains(reason), c.name() + ": " + e.getMessage());
        for (int i = 0; i < n; i++)
            assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(acc[i]), c.name() + ": acc[" + i + "] touched");
    }

    private static byte[] patched(byte[] msg, Consumer<ByteBuffer> patch) {
        byte[] m = msg.clone();
        patch.accept(ByteBuffer.wrap(m));
        return m;
    }

    @Test
    void aMessageOfAnyOtherLengthThanTheEncodingsIsRefused() {
        for (Compressor c : all()) {
            byte[] m = honest(c, N);
            assertRefused(c, Arrays.copyOf(m, m.length - 1), N, "bytes, but the encoding of " + N + " entries has " + m.length);
            assertRefused(c, Arrays.copyOf(m, m.length + 1), N, "a message of " + (m.length + 1) + " bytes");
            assertRefused(c, new byte[0], N, "a message of 0 bytes");
        }
    }

    @Test
    void topKRefusesAnIndexOutsideTheVector() {
        TopK c = new TopK(0.2);
        byte[] m = honest(c, N);
        int last = m.length - 8;
        for (int bad : new int[] {N, -1, Integer.MAX_VALUE, Integer.MIN_VALUE})
            assertRefused(c, patched(m, b -> b.putInt(last, bad)), N, "index " + bad + " is outside [0, " + N + ")");
    }

    @Test
    void topKRefusesAnIndexThatComesTwice() {
        TopK c = new TopK(0.2);
        byte[] m = honest(c, N);
        assertRefused(c, patched(m, b -> b.putInt(m.length - 8, b.getInt(0))), N, "comes twice");
        // the scratch that finds repeats is clean again: the honest message still decodes
        float[] acc = new float[N];
        c.decodeAdd(ByteBuffer.wrap(m), N, acc, 1f);
    }

    @Test
    void aScaleOrNormThatIsNotAFiniteNonNegativeNumberIsRefused() {
        for (Compressor c : List.of(new ScaledSign(), new Qsgd(5), new NaturalDithering(5))) {
            byte[] m = honest(c, N);
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1f})
                assertRefused(c, patched(m, b -> b.putFloat(0, bad)), N, " " + bad + " is not a finite non-negative number");
        }
    }

    @Test
    void aLevelAboveTheHighestIsRefused() {
        // 5 levels take 3 bits, so 6 and 7 fit the field but are no level; the defect is in the last entry
        for (Compressor c : List.of(new Qsgd(5), new NaturalDithering(5))) {
            byte[] m = honest(c, N);
            int w = SignLevelCodes.bitsPerEntry(5);
            assertRefused(c, patched(m, b -> setCode(b, 4, N - 1, w, 7 << 1)), N, "entry " + (N - 1) + " has level 7 > 5");
        }
    }

    @Test
    void bitsBeyondTheLastEntryAreRefused() {
        // 37 entries leave unused bits in the last byte of every bit-packed encoding here
        for (Compressor c : List.of(new ScaledSign(), new Qsgd(5), new NaturalDithering(3))) {
            byte[] m = honest(c, N);
            assertRefused(c, patched(m, b -> b.put(m.length - 1, (byte) (b.get(m.length - 1) | 0x80))), N, "bits beyond entry " + (N - 1));
        }
    }

    @Test
    void honestMessagesStillDecodeToWhatWasCompressed() {
        for (Compressor c : all()) {
            Rng data = new Rng(5);
            float[] x = new float[N], out = new float[N], back = new float[N];
            for (int i = 0; i < N; i++) x[i] = (float) data.nextGaussian();
            ByteBuffer buf = ByteBuffer.allocate((int) c.compress(x, out, N, new Rng(9)));
            c.encode(out, N, buf);
            buf.flip();
            c.decodeAdd(buf, N, back, 1f);
            for (int i = 0; i < N; i++) assertEquals(Float.floatToRawIntBits(out[i] + 0f), Float.floatToRawIntBits(back[i] + 0f), c.name());
        }
    }

    /** Writes the {@code w}-bit code of entry i into a little-endian bit-packed stream starting at byte {@code start}. */
    private static void setCode(ByteBuffer b, int start, int i, int w, int code) {
        for (int bit = 0; bit < w; bit++) {
            int pos = i * w + bit, at = start + pos / 8, mask = 1 << (pos % 8);
            int v = b.get(at) & 0xFF;
            b.put(at, (byte) ((code >> bit & 1) != 0 ? v | mask : v & ~mask));
        }
    }
}
