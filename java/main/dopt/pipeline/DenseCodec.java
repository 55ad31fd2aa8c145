package dopt.pipeline;

import dopt.compress.MalformedMessageException;
import java.nio.ByteBuffer;

/** The uncompressed wire: the floats' IEEE-754 bits, 4 bytes each, so a decoded vector is bit-identical. */
public final class DenseCodec implements WireCodec {
    private final int n;
    private final byte[] buf;
    private final ByteBuffer view;

    public DenseCodec(int n) {
        if (n < 1 || n > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("dense wire of " + n + " floats");
        this.n = n;
        this.buf = new byte[4 * n];
        this.view = ByteBuffer.wrap(buf);
    }

    @Override public int length() { return n; }
    @Override public int messageBytes() { return 4 * n; }

    @Override
    public byte[] encode(float[] x) {
        view.clear();
        for (int i = 0; i < n; i++) view.putFloat(x[i]);
        return buf;
    }

    @Override
    public void decode(byte[] msg, float[] out) {
        if (msg.length != 4 * n)
            throw new MalformedMessageException("dense wire: a message of " + msg.length + " bytes, expected " + 4L * n + " (" + n + " floats)");
        ByteBuffer in = ByteBuffer.wrap(msg);
        for (int i = 0; i < n; i++) out[i] = in.getFloat();
    }

    @Override public String describe() { return "dense"; }
}
