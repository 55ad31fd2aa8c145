package dopt.pipeline;

/**
 * What travels over one link of a pipeline in one direction: a fixed-length float vector
 * (a micro-batch's activations forward, or their gradient backward) as a message of exactly {@link
 * #messageBytes()} bytes. The sending side may keep state (error feedback); the receiving side
 * checks every message before using it.
 */
public interface WireCodec {
    /** Floats per message. */
    int length();

    /** The exact size of every message, which is also the receiver's cap. */
    int messageBytes();

    /**
     * The message for {@code x[0, length)}; a buffer of this codec, reused by the next call (the
     * caller sends it before encoding again).
     */
    byte[] encode(float[] x);

    /**
     * {@code out[0, length)} ← the vector {@code msg} carries; throws {@link
     * dopt.compress.MalformedMessageException} for a message of the wrong size or content.
     */
    void decode(byte[] msg, float[] out);

    /** A short name for the run's first line ("dense", "topk(10%)+ef"). */
    String describe();
}
