package dopt.nn;

import dopt.tensor.Param;
import java.util.List;

/**
 * A per-channel affine normalisation of channel-major activations {@code [channels × n × hw]}:
 * y = γ_c·(x − μ)/√(σ² + ε) + β_c, where {@link GroupNorm} and {@link BatchNorm2d} differ only in
 * which elements share μ and σ².
 */
interface Norm2d {
    /** ε added to the variance, PyTorch's default for both norms. */
    float EPS = 1e-5f;

    Param weight();

    Param bias();

    /** Non-trainable state to checkpoint (BatchNorm's running statistics); empty for GroupNorm. */
    List<Param> buffers();

    /** γ = 1, β = 0 (the identity map at the start, as in PyTorch), and buffers to their start values. */
    void init();

    /**
     * y = norm(x) over n images. {@code training} selects batch statistics for BatchNorm; with
     * {@code updateStats} a training-mode forward also moves the running statistics (only the
     * training step does, so evaluating the training loss leaves them alone).
     */
    void forward(float[] x, int n, float[] y, boolean training, boolean updateStats);

    /**
     * Given the forward's input {@code x} and dL/dy, overwrites dγ, dβ and writes dL/dx into
     * {@code dx} (which may be {@code dy} itself), for the mode of the last forward.
     */
    void backward(float[] x, float[] dy, int n, float[] dx);
}
