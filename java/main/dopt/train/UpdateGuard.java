package dopt.train;

/**
 * Decides, before an agreed update is applied, whether the run is still sane: a non-finite loss or
 * gradient, or a loss that has exploded, must stop the run before the bad update reaches the
 * parameters (and so before any checkpoint holds it).
 */
@FunctionalInterface
public interface UpdateGuard {
    /** Null when step {@code s}'s agreed update may be applied, else the reason it may not. */
    String veto(long s, float agreedLoss, double gradNorm);

    /** Lets everything through (tests of a policy alone). */
    UpdateGuard NONE = (s, loss, norm) -> null;
}
