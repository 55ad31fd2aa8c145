package dopt.pipeline;

import dopt.compress.Compressor;
import dopt.compress.Ef14;
import dopt.compress.ErrorFeedback;
import dopt.random.Rng;
import dopt.state.StateTree;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A compressed wire: the sender sends C(x) in the compressor's own encoding, or, with error
 * feedback (EF14, Seide et al. 2014), C(e + x) and keeps e ← e + x − C(e + x) for the next message
 * over this link; the receiver checks the message with the compressor's validating decoder and uses
 * the dense C(·). One error memory per link and direction, updated message after message in the
 * schedule's (fixed) micro-batch order, so a resumed run continues it bit-exactly.
 */
public final class CompressedCodec implements WireCodec {
    private final Compressor compressor;
    private final ErrorFeedback errorFeedback;
    private final Rng rng;
    private final int n, bytes;
    private final float[] compressed;
    private final byte[] buf;
    private final ByteBuffer view;

    /**
     * {@code n} floats per message. With {@code errorFeedbackPath} non-null (the sending side only)
     * the error memory is registered in {@code state} at {@code errorFeedbackPath + "/error"}.
     * {@code rng}: the draws of random compressors (the sender's, part of its state).
     */
    public CompressedCodec(Compressor compressor, int n, Rng rng, StateTree state, String errorFeedbackPath) {
        long wire = compressor.wireBytes(n);
        if (n < 1 || wire > Integer.MAX_VALUE) throw new IllegalArgumentException(compressor.name() + " wire of " + n + " floats");
        this.compressor = compressor;
        this.n = n;
        this.bytes = (int) wire;
        this.rng = rng;
        this.compressed = new float[n];
        this.buf = new byte[bytes];
        this.view = ByteBuffer.wrap(buf);
        if (errorFeedbackPath != null) {
            errorFeedback = new Ef14(compressor);
            errorFeedback.init(n, state, errorFeedbackPath, errorFeedbackPath);
        } else {
            errorFeedback = null;
        }
    }

    @Override public int length() { return n; }
    @Override public int messageBytes() { return bytes; }

    @Override
    public byte[] encode(float[] x) {
        long wire = errorFeedback != null ? errorFeedback.encode(x, compressed, rng) : compressor.compress(x, compressed, n, rng);
        if (wire != bytes) throw new IllegalStateException(compressor.name() + " compressed " + n + " floats to " + wire + " bytes, not " + bytes);
        view.clear();
        compressor.encode(compressed, n, view);
        return buf;
    }

    @Override
    public void decode(byte[] msg, float[] out) {
        Arrays.fill(out, 0, n, 0f);
        compressor.decodeAdd(ByteBuffer.wrap(msg), n, out, 1f);
    }

    @Override public String describe() { return compressor.name() + (errorFeedback != null ? "+ef" : ""); }
}
