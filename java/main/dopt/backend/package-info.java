/**
 * Compute backends behind {@link dopt.tensor.Backend}: {@link dopt.backend.CpuBackend} (the existing
 * Java kernels, the reference), {@link dopt.backend.CudaBackend} (our CUDA kernels from
 * {@code cuda/*.cu} through the JCuda driver API) and {@link dopt.backend.Backends#select}.
 */
package dopt.backend;
