package dopt.compress;

import java.nio.ByteBuffer;

/** The checks that every decoder runs on a peer's message before it decodes a single entry. */
final class WireCheck {
    private WireCheck() { }

    /** The message is exactly {@code expected} bytes, the size the codec's own encoding has for n. */
    static void length(ByteBuffer in, long expected, Compressor codec, int n) {
        if (in.remaining() != expected)
            throw new MalformedMessageException(codec.name() + ": a message of " + in.remaining() + " bytes, but the encoding of "
                    + n + " entries has " + expected);
    }

    /** A scale every entry is multiplied by (a norm, the mean magnitude): finite and not negative. */
    static void scale(float s, String what, Compressor codec) {
        if (!(Float.isFinite(s) && s >= 0))
            throw new MalformedMessageException(codec.name() + ": " + what + " " + s + " is not a finite non-negative number");
    }
}
