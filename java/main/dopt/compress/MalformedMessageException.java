package dopt.compress;

/**
 * A peer's compressed message broke its codec's rules (wrong length for n, an index out of range
 * or repeated, a level code or header field out of range, a non-finite scale). Thrown by
 * {@link Compressor#decodeAdd} before it touches its output, so the caller can drop the message
 * as an invalid row and go on with the honest ones.
 */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String reason) { super(reason); }
}
