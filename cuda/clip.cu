// Global-norm clipping, given the squared norm: x <- x * min(1, maxNorm/||x||), with the factor
// rounded to float as ClipByGlobalNorm does (no change at all when the norm is within bounds).
#include "common.cuh"

extern "C" __global__ void clip_scale_f32(long long n, float* __restrict__ x, double maxNorm, double squaredNorm) {
    double norm = sqrt(squaredNorm);
    if (norm <= maxNorm) return;
    float s = (float)(maxNorm / norm);
    DOPT_FOR_EACH(i, n) x[i] = __fmul_rn(x[i], s);
}
