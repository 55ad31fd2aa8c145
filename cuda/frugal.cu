// FRUGAL's split update (Zmushko et al. 2024, Algorithm 1, blocks projector), fused over one flat
// parameter buffer: coordinates [lo, hi) are the state-full block and get Adam with moments m, v
// indexed from lo; every other coordinate gets the state-free step freeScale·sign(g). Then decoupled
// weight decay and −lr, as dopt.optim.BlockAdam → AddDecayedWeights → ScaleByLearningRate, with the
// same roundings (bit-exact; see adam.cu).
#include "common.cuh"

extern "C" __global__ void frugal_step_f32(long long n, long long lo, long long hi, float* __restrict__ x, const float* __restrict__ g,
                                           float* __restrict__ m, float* __restrict__ v, float b1, float b2, float c1, float c2,
                                           float stepScale, float bc2Sqrt, float eps, float lr, float freeScale, float wd, float gradScale) {
    float negLr = -lr;
    DOPT_FOR_EACH(i, n) {
        float xi = x[i];
        float gi = __fmul_rn(g[i], gradScale);
        float d;
        if (i >= lo && i < hi) {
            long long j = i - lo;
            float mj = __fadd_rn(__fmul_rn(b1, m[j]), __fmul_rn(c1, gi));
            float vj = __fadd_rn(__fmul_rn(b2, v[j]), __fmul_rn(__fmul_rn(c2, gi), gi));
            m[j] = mj;
            v[j] = vj;
            d = __fdiv_rn(__fmul_rn(mj, stepScale), __fadd_rn(__fdiv_rn(__fsqrt_rn(vj), bc2Sqrt), eps));
        } else {
            d = __fmul_rn(freeScale, dopt_signum(gi));
        }
        if (wd != 0.0f) d = __fadd_rn(d, __fmul_rn(wd, xi));
        x[i] = __fadd_rn(xi, __fmul_rn(d, negLr));
    }
}
