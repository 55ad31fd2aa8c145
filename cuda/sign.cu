// signSGD (Bernstein et al. 2018), fused: x += sign(g·gradScale)·(−lr), sign(0) = 0 as torch.sign
// and Java's Math.signum. Bit-exact with the CPU chain ClipByGlobalNorm → ScaleBySign → ScaleByLearningRate.
#include "common.cuh"

extern "C" __global__ void sign_step_f32(long long n, float* __restrict__ x, const float* __restrict__ g, float lr, float gradScale) {
    float negLr = -lr;
    DOPT_FOR_EACH(i, n) {
        float d = dopt_signum(__fmul_rn(g[i], gradScale));
        x[i] = __fadd_rn(x[i], __fmul_rn(d, negLr));
    }
}
