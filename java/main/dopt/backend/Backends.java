package dopt.backend;

import dopt.tensor.Backend;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Picks the backend a job asks for: {@code cpu}, {@code cuda}, or {@code auto} (the GPU when there is a usable one). */
public final class Backends {
    private static final Logger LOG = LogManager.getLogger(Backends.class);

    public static final java.util.List<String> NAMES = java.util.List.of("cpu", "cuda", "auto");

    private Backends() { }

    /**
     * {@code cpu}: the CPU backend. {@code cuda}: the device {@link GpuChoice} picks for {@code rank}
     * from the environment (DOPT_RANKS_PER_NODE, DOPT_GPU_IDS; without them {@code rank} mod
     * #devices), or an {@link IllegalStateException} naming why there is none. {@code auto}: that
     * GPU when there is one, else the CPU backend with one log line saying why.
     *
     * @throws IllegalArgumentException if DOPT_RANKS_PER_NODE or DOPT_GPU_IDS cannot be read or name a device not seen
     */
    public static Backend select(String kind, int rank) {
        return "cpu".equals(kind) ? new CpuBackend() : select(kind, rank, GpuChoice.of(System.getenv()));
    }

    /** As {@link #select(String, int)} with the GPU choice given (tests; a caller with its own environment). */
    public static Backend select(String kind, int rank, GpuChoice gpu) {
        java.util.function.IntUnaryOperator ordinalOf = devices -> gpu.ordinal(rank, devices);
        switch (kind) {
            case "cpu":
                return new CpuBackend();
            case "cuda":
                try {
                    return CudaBackend.open(ordinalOf);
                } catch (CudaUnavailableException e) {
                    throw new IllegalStateException("backend 'cuda' is not available: " + e.getMessage(), e);
                }
            case "auto":
                try {
                    return CudaBackend.open(ordinalOf);
                } catch (CudaUnavailableException e) {
                    LOG.warn("backend auto: no usable CUDA GPU ({}); computing on the CPU", e.getMessage());
                    return new CpuBackend();
                }
            default:
                throw new IllegalArgumentException("unknown backend '" + kind + "'; allowed: " + String.join(", ", NAMES));
        }
    }
}
