// Adam and AdamW, element-wise and fused. Every operation is written with an _rn intrinsic so that
// nvcc cannot contract a*b + c into an FMA or approximate the division and square root: the results
// then equal dopt.optim.AdamKernel (Java float arithmetic, strict IEEE) bit for bit. The bias
// corrections stepScale = 1/(1-β₁ᵗ) and bc2Sqrt = √(1-β₂ᵗ), and c1 = 1-β₁, c2 = 1-β₂, are computed
// once per step on the host with AdamKernel's expressions.
// Kingma and Ba 2015, Algorithm 1, with ε outside the root as torch.optim.Adam; AdamW's decoupled
// decay as Loshchilov and Hutter 2019 (and dopt's chain: direction + wd·x, then × −lr).
#include "common.cuh"

struct AdamCoef { float b1, b2, c1, c2, stepScale, bc2Sqrt, eps; };

__device__ __forceinline__ float adam_dir(float g, float& m, float& v, const AdamCoef& a) {
    float mj = __fadd_rn(__fmul_rn(a.b1, m), __fmul_rn(a.c1, g));
    float vj = __fadd_rn(__fmul_rn(a.b2, v), __fmul_rn(__fmul_rn(a.c2, g), g));
    m = mj;
    v = vj;
    return __fdiv_rn(__fmul_rn(mj, a.stepScale), __fadd_rn(__fdiv_rn(__fsqrt_rn(vj), a.bc2Sqrt), a.eps));
}

// out <- Adam direction of g; m, v updated. out may alias g. (AdamKernel.step)
extern "C" __global__ void adam_direction_f32(long long n, const float* g, float* __restrict__ m, float* __restrict__ v, float* out,
                                              float b1, float b2, float c1, float c2, float stepScale, float bc2Sqrt, float eps) {
    AdamCoef a = {b1, b2, c1, c2, stepScale, bc2Sqrt, eps};
    DOPT_FOR_EACH(i, n) {
        float mi = m[i], vi = v[i];
        out[i] = adam_dir(g[i], mi, vi, a);
        m[i] = mi;
        v[i] = vi;
    }
}

// The whole optimizer step in one pass over x, g, m, v (28 bytes per parameter):
//   g' = g·gradScale (global-norm clip factor, 1 without clipping); Adam: g' += wd·x (L2, coupled)
//   d = adam(g'); AdamW: d += wd·x (decoupled); x += d·(−lr)
// g is only read. Same order of roundings as the CPU chain ClipByGlobalNorm → AddDecayedWeights /
// ScaleByAdam → ScaleByLearningRate → Optimizer.step.
extern "C" __global__ void adam_step_f32(long long n, float* __restrict__ x, const float* __restrict__ g, float* __restrict__ m,
                                         float* __restrict__ v, float b1, float b2, float c1, float c2, float stepScale,
                                         float bc2Sqrt, float eps, float lr, float wd, int decoupled, float gradScale) {
    AdamCoef a = {b1, b2, c1, c2, stepScale, bc2Sqrt, eps};
    float negLr = -lr;
    DOPT_FOR_EACH(i, n) {
        float xi = x[i];
        float gi = __fmul_rn(g[i], gradScale);
        if (!decoupled && wd != 0.0f) gi = __fadd_rn(gi, __fmul_rn(wd, xi));
        float mi = m[i], vi = v[i];
        float d = adam_dir(gi, mi, vi, a);
        if (decoupled && wd != 0.0f) d = __fadd_rn(d, __fmul_rn(wd, xi));
        x[i] = __fadd_rn(xi, __fmul_rn(d, negLr));
        m[i] = mi;
        v[i] = vi;
    }
}
