// Shared helpers of the dopt kernels.
#pragma once

// Grid-stride loop over [0, n) with 64-bit indices (1e9-element buffers are 4 GB).
#define DOPT_FOR_EACH(i, n)                                                          \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n);     \
         i += (long long)gridDim.x * blockDim.x)

// Java's Math.signum on floats: ±1, keeps ±0, NaN stays NaN.
__device__ __forceinline__ float dopt_signum(float x) {
    return (x != x || x == 0.0f) ? x : copysignf(1.0f, x);
}
