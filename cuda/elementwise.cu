// Element-wise kernels: fill, axpy, scale, mul, and the device-to-device copy whose bandwidth
// the benchmarks use as the HBM floor. The _rn intrinsics keep nvcc from contracting a*x + y into
// one FMA, so every result equals CpuBackend's Java loop bit for bit.
#include "common.cuh"

extern "C" __global__ void fill_f32(long long n, float value, float* __restrict__ x) {
    DOPT_FOR_EACH(i, n) x[i] = value;
}

// y <- a*x + y (two roundings, as Java's a * x[i] + y[i])
extern "C" __global__ void axpy_f32(long long n, float a, const float* __restrict__ x, float* __restrict__ y) {
    DOPT_FOR_EACH(i, n) y[i] = __fadd_rn(__fmul_rn(a, x[i]), y[i]);
}

extern "C" __global__ void scale_f32(long long n, float a, float* __restrict__ x) {
    DOPT_FOR_EACH(i, n) x[i] = __fmul_rn(a, x[i]);
}

// out <- x * y element-wise (out may alias x or y)
extern "C" __global__ void mul_f32(long long n, const float* x, const float* y, float* out) {
    DOPT_FOR_EACH(i, n) out[i] = __fmul_rn(x[i], y[i]);
}

// dst <- src; 16-byte loads and stores where both are aligned (cuMemAlloc gives 256-byte alignment)
extern "C" __global__ void copy_f32(long long n, const float* __restrict__ src, float* __restrict__ dst) {
    long long n4 = n / 4;
    const float4* s4 = reinterpret_cast<const float4*>(src);
    float4* d4 = reinterpret_cast<float4*>(dst);
    DOPT_FOR_EACH(i, n4) d4[i] = s4[i];
    long long tail = n4 * 4 + (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (tail < n) dst[tail] = src[tail];
}
