package dopt.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.random.Rng;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every compressor's wire encoding decodes to exactly what it compressed, in exactly the bytes it claimed. */
class CodecTest {
    @Test
    void encodingsRoundTripInTheClaimedSize() {
        Rng data = new Rng(3);
        for (int n : new int[] {1, 7, 8, 9, 1000}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) data.nextGaussian();
            if (n > 3) x[2] = 0f;
            for (Compressor c : List.of(new TopK(0.1), new TopK(1.0), new RandK(0.3), new ScaledSign(), new Qsgd(1), new Qsgd(5), new Qsgd(255),
                    new NaturalDithering(1), new NaturalDithering(3), new NaturalDithering(8, Double.POSITIVE_INFINITY), new NaturalDithering(32))) {
                float[] out = new float[n], back = new float[n];
                long bytes = c.compress(x, out, n, new Rng(n));
                ByteBuffer buf = ByteBuffer.allocate((int) bytes + 64);
                c.encode(out, n, buf);
                assertEquals(bytes, buf.position(), c.name() + " n=" + n + ": encoded size");
                buf.flip();
                c.decodeAdd(buf, n, back, 1f);
                assertEquals(bytes, buf.position(), c.name() + " n=" + n + ": decoded size");
                for (int i = 0; i < n; i++)
                    assertEquals(Float.floatToRawIntBits(out[i] + 0f), Float.floatToRawIntBits(back[i] + 0f), c.name() + " n=" + n + " [" + i + "]");
            }
        }
    }
}
