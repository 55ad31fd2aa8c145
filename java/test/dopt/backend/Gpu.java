package dopt.backend;

/** Test helper: whether this machine has a usable CUDA GPU for {@link CudaBackend}, and if not why. */
final class Gpu {
    private Gpu() { }

    private static String reason;
    private static boolean probed;

    /** Null when {@code CudaBackend.open(0)} works here, else the reason it does not. */
    static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            try (CudaBackend b = CudaBackend.open(0)) {
                reason = null;
            } catch (CudaUnavailableException e) {
                reason = e.getMessage();
            }
        }
        return reason;
    }
}
