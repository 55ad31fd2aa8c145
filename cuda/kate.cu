// KATE (Choudhury et al. 2024), fused, per coordinate with b² = m² = 0 initially:
//   b² += g²;  m² += η g² + g²/(b² + ε);  x += (√m² · g / (b² + ε))·(−lr)
// with 0/0 taken as 0, η a scalar or (etas non-null) per coordinate. Same roundings as
// dopt.optim.ScaleByKate (bit-exact; see adam.cu), after the global-norm clip factor.
#include "common.cuh"

extern "C" __global__ void kate_step_f32(long long n, float* __restrict__ x, const float* __restrict__ g, float* __restrict__ b2,
                                         float* __restrict__ m2, const float* __restrict__ etas, float eta, float eps, float lr,
                                         float gradScale) {
    float negLr = -lr;
    DOPT_FOR_EACH(i, n) {
        float gj = __fmul_rn(g[i], gradScale);
        float g2 = __fmul_rn(gj, gj);
        float bj = __fadd_rn(b2[i], g2);
        b2[i] = bj;
        float denom = __fadd_rn(bj, eps);
        float ratio = denom == 0.0f ? 0.0f : __fdiv_rn(g2, denom);
        float e = etas != nullptr ? etas[i] : eta;
        float mj = __fadd_rn(__fadd_rn(m2[i], __fmul_rn(e, g2)), ratio);
        m2[i] = mj;
        float d = denom == 0.0f ? 0.0f : __fdiv_rn(__fmul_rn(__fsqrt_rn(mj), gj), denom);
        x[i] = __fadd_rn(x[i], __fmul_rn(d, negLr));
    }
}
