// Reductions to one double per block; the host adds the block partials in order, so a sum is
// deterministic for a given grid size. Accumulation in double, as GlobalNorm does on the CPU.
#include "common.cuh"

template <bool SQUARE>
__device__ void partials(long long n, const float* __restrict__ x, double* __restrict__ out) {
    __shared__ double s[256];
    double acc = 0.0;
    DOPT_FOR_EACH(i, n) {
        double v = x[i];
        acc += SQUARE ? v * v : v;
    }
    s[threadIdx.x] = acc;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = s[0];
}

// launched with 256 threads per block
extern "C" __global__ void sum_partials_f32(long long n, const float* __restrict__ x, double* __restrict__ out) {
    partials<false>(n, x, out);
}

extern "C" __global__ void sqnorm_partials_f32(long long n, const float* __restrict__ x, double* __restrict__ out) {
    partials<true>(n, x, out);
}
