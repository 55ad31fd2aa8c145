package dopt.backend;

/** Why the CUDA backend cannot run here (no JCuda native library, no driver, no device, no kernels). */
public final class CudaUnavailableException extends Exception {
    public CudaUnavailableException(String reason, Throwable cause) { super(reason, cause); }
}
