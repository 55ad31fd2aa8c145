package dopt.optim;

/**
 * Hessian-vector products of the loss at the current parameters and mini-batch, for second-order
 * preconditioners such as {@link ScaleByOasis}. Implementations must leave the parameters and
 * their gradient buffers as they found them.
 */
@FunctionalInterface
public interface HessianVectorOracle {
    /** {@code out[i] = (∇²f · v)[i]} per parameter tensor i, in the order of the optimizer's params. */
    void apply(float[][] v, float[][] out);
}
