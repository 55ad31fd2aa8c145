package dopt.comm;

/**
 * A peer's message broke a limit the receiver set (a length above its cap, a negative length), so
 * it was refused before anything was allocated at the size the peer claimed.
 */
public final class MessageRejectedException extends RuntimeException {
    public MessageRejectedException(String message) { super(message); }
}
