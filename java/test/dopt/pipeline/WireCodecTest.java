package dopt.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.compress.MalformedMessageException;
import dopt.compress.TopK;
import dopt.random.Rng;
import dopt.state.StateTree;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final int N = 200;

    @Test
    void denseWireRoundTripsEveryBitAndRefusesAnotherLength() {
        float[] x = gaussian(N, 1);
        x[3] = -0f;
        x[4] = Float.MIN_VALUE;
        DenseCodec c = new DenseCodec(N);
        byte[] msg = c.encode(x);
        assertEquals(4 * N, msg.length);
        assertEquals(4 * N, c.messageBytes());
        float[] out = new float[N];
        c.decode(msg, out);
        for (int i = 0; i < N; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(out[i]));
        assertThrows(MalformedMessageException.class, () -> c.decode(Arrays.copyOf(msg, msg.length - 4), out));
    }

    /** Without error feedback the receiver gets exactly TopK's C(x), in 8 bytes per kept entry. */
    @Test
    void topKWireDeliversTheCompressorsOutputInItsExactBytes() {
        float[] x = gaussian(N, 2), expected = new float[N], out = new float[N];
        TopK topk = new TopK(0.1);
        long bytes = topk.compress(x, expected, N, null);
        StateTree state = new StateTree();
        CompressedCodec c = new CompressedCodec(new TopK(0.1), N, new Rng(0), state, null);
        byte[] msg = c.encode(x);
        assertEquals(bytes, msg.length);
        assertEquals(8 * 20, c.messageBytes());
        c.decode(msg, out);
        assertArrayEquals(expected, out);
        assertTrue(state.leaves().isEmpty(), "no error memory without error feedback");
        assertEquals("topk(10.0%)", c.describe());
    }

    /**
     * With error feedback every message and the memory left after it add up to memory-before plus
     * input, bit for bit (a kept entry leaves 0 behind, a dropped one all of itself), and the memory
     * lives in the state tree at the given path, so a checkpoint holds it.
     */
    @Test
    void errorFeedbackKeepsWhatTheWireDroppedInTheStateTree() {
        StateTree state = new StateTree();
        CompressedCodec c = new CompressedCodec(new TopK(0.1), N, new Rng(0), state, "stages/0/wire/activations");
        float[] error = state.floats("stages/0/wire/activations/error"), out = new float[N];
        assertEquals("topk(10.0%)+ef", c.describe());
        for (int step = 0; step < 5; step++) {
            float[] x = gaussian(N, 10 + step), before = error.clone();
            c.decode(c.encode(x), out);
            for (int i = 0; i < N; i++) assertEquals(before[i] + x[i], out[i] + error[i], 0f, "entry " + i + " message " + step);
        }
        boolean remembers = false;
        for (float e : error) remembers |= e != 0f;
        assertTrue(remembers);
    }

    /** The receiver runs TopK's validating decoder: a wrong length or an index twice is refused. */
    @Test
    void aMalformedCompressedMessageIsRefused() {
        CompressedCodec c = new CompressedCodec(new TopK(0.1), N, new Rng(0), new StateTree(), null);
        byte[] msg = c.encode(gaussian(N, 3)).clone();
        float[] out = new float[N];
        assertThrows(MalformedMessageException.class, () -> c.decode(Arrays.copyOf(msg, msg.length + 8), out));
        ByteBuffer b = ByteBuffer.wrap(msg);
        b.putInt(8, b.getInt(0)); // the second pair's index repeats the first's
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> c.decode(msg, out));
        assertTrue(e.getMessage().contains("comes twice"), e.getMessage());
    }

    private static float[] gaussian(int n, long seed) {
        Rng r = new Rng(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
