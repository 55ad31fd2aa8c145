// Tiled shared-memory SGEMM for the three products of dopt.tensor.Dense (row-major, fp32):
//   sgemm_nn: C[m×n] = A[m×k] · B[k×n]
//   sgemm_tn: C[m×n] = Aᵀ · B, A stored [k×m]   (weight gradients Xᵀ·dY)
//   sgemm_nt: C[m×n] = A · Bᵀ, B stored [n×k]   (a linear layer's forward pass X·Wᵀ)
// A 64×64 tile of C per block of 16×16 threads, each thread 4×4 outputs; the shared dimension
// streams through shared memory in slices of 16 (the classic blocking of Volkov and Demmel 2008).
// Loads are coalesced for every layout: the thread index runs along the stored rows.
// Launch: block (16, 16), grid (ceil(n/64), ceil(m/64)).
#include "common.cuh"

#define BM 64
#define BN 64
#define BK 16

template <bool TA, bool TB>
__device__ void sgemm_tile(int m, int k, int n, const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c) {
    __shared__ float As[BK][BM + 1];
    __shared__ float Bs[BK][BN + 1];
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
    const int i0 = blockIdx.y * BM, j0 = blockIdx.x * BN;
    float acc[4][4] = {};
    for (int p0 = 0; p0 < k; p0 += BK) {
        #pragma unroll
        for (int r = 0; r < 4; r++) {
            int e = tid + r * 256;
            int p, i;
            if (TA) { p = e / BM; i = e % BM; } else { i = e / BK; p = e % BK; }
            int gi = i0 + i, gp = p0 + p;
            float va = 0.f;
            if (gi < m && gp < k) va = TA ? a[(long long)gp * m + gi] : a[(long long)gi * k + gp];
            As[p][i] = va;
            int j;
            if (TB) { j = e / BK; p = e % BK; } else { p = e / BN; j = e % BN; }
            int gj = j0 + j;
            gp = p0 + p;
            float vb = 0.f;
            if (gj < n && gp < k) vb = TB ? b[(long long)gj * k + gp] : b[(long long)gp * n + gj];
            Bs[p][j] = vb;
        }
        __syncthreads();
        #pragma unroll
        for (int p = 0; p < BK; p++) {
            float ar[4], br[4];
            #pragma unroll
            for (int r = 0; r < 4; r++) ar[r] = As[p][ty + 16 * r];
            #pragma unroll
            for (int s = 0; s < 4; s++) br[s] = Bs[p][tx + 16 * s];
            #pragma unroll
            for (int r = 0; r < 4; r++)
                #pragma unroll
                for (int s = 0; s < 4; s++) acc[r][s] = fmaf(ar[r], br[s], acc[r][s]);
        }
        __syncthreads();
    }
    #pragma unroll
    for (int r = 0; r < 4; r++) {
        int gi = i0 + ty + 16 * r;
        if (gi >= m) continue;
        #pragma unroll
        for (int s = 0; s < 4; s++) {
            int gj = j0 + tx + 16 * s;
            if (gj < n) c[(long long)gi * n + gj] = acc[r][s];
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) sgemm_nn(int m, int k, int n, const float* a, const float* b, float* c) {
    sgemm_tile<false, false>(m, k, n, a, b, c);
}

extern "C" __global__ void __launch_bounds__(256) sgemm_tn(int m, int k, int n, const float* a, const float* b, float* c) {
    sgemm_tile<true, false>(m, k, n, a, b, c);
}

extern "C" __global__ void __launch_bounds__(256) sgemm_nt(int m, int k, int n, const float* a, const float* b, float* c) {
    sgemm_tile<false, true>(m, k, n, a, b, c);
}
