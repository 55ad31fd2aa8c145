// Top-k by magnitude for gradient compression, with dopt.compress.TopK's selection: the k entries
// of largest |x|, ties at the threshold taken in index order. Output: the k (index, value) pairs
// in ascending index order.
//   1. radix select of the threshold: |x| as unsigned bits orders like the magnitudes (sign bit
//      cleared; inputs are finite), four passes of 8 bits, each a 256-bin histogram over the
//      entries that match the prefix fixed so far (topk_hist_f32); the host picks the bin.
//   2. per-chunk counts of entries above and equal to the threshold (topk_count_f32); the host
//      scans them into each chunk's output offset and its quota of tied entries.
//   3. order-preserving compaction (topk_compact_f32): each block walks its chunk in tiles of 256
//      with warp-ballot prefix sums.
// All kernels: 256 threads per block.
#include "common.cuh"

__device__ __forceinline__ unsigned mag_key(float x) { return __float_as_uint(x) & 0x7fffffffu; }

// hist[b] += #{i : (key_i & mask) == prefix and (key_i >> shift) & 255 == b}; hist zeroed by the host
extern "C" __global__ void topk_hist_f32(long long n, const float* __restrict__ x, unsigned prefix, unsigned mask, int shift,
                                         unsigned* __restrict__ hist) {
    __shared__ unsigned h[256];
    h[threadIdx.x] = 0;
    __syncthreads();
    DOPT_FOR_EACH(i, n) {
        unsigned key = mag_key(x[i]);
        if ((key & mask) == prefix) atomicAdd(&h[(key >> shift) & 255u], 1u);
    }
    __syncthreads();
    if (h[threadIdx.x] != 0) atomicAdd(&hist[threadIdx.x], h[threadIdx.x]);
}


// counts[2b] = #{i in chunk b : key > threshold}, counts[2b+1] = #{key == threshold}; grid = chunks
extern "C" __global__ void topk_count_f32(long long n, const float* __restrict__ x, unsigned threshold, long long chunk,
                                          unsigned* __restrict__ counts) {
    long long begin = (long long)blockIdx.x * chunk, end = min(n, begin + chunk);
    unsigned above = 0, equal = 0;
    for (long long base = begin; base < end; base += blockDim.x) {
        long long i = base + threadIdx.x;
        unsigned key = i < end ? mag_key(x[i]) : 0u;
        above += __syncthreads_count(i < end && key > threshold);
        equal += __syncthreads_count(i < end && key == threshold);
    }
    if (threadIdx.x == 0) {
        counts[2 * blockIdx.x] = above;
        counts[2 * blockIdx.x + 1] = equal;
    }
}

// Exclusive prefix count of flag over the block's 256 threads; *total gets the block's count.
__device__ unsigned block_exclusive(bool flag, unsigned* warpSums, unsigned* total) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    unsigned ballot = __ballot_sync(0xffffffffu, flag);
    unsigned within = __popc(ballot & ((1u << lane) - 1u));
    if (lane == 0) warpSums[warp] = __popc(ballot);
    __syncthreads();
    unsigned before = 0, sum = 0;
    for (int w = 0; w < 8; w++) {
        if (w < warp) before += warpSums[w];
        sum += warpSums[w];
    }
    __syncthreads();
    *total = sum;
    return before + within;
}

// plan[2b] = output offset of chunk b, plan[2b+1] = how many of its ties it keeps (in index order)
extern "C" __global__ void topk_compact_f32(long long n, const float* __restrict__ x, unsigned threshold, long long chunk,
                                            const int* __restrict__ plan, int* __restrict__ outIndex, float* __restrict__ outValue) {
    __shared__ unsigned warpSums[8];
    long long begin = (long long)blockIdx.x * chunk, end = min(n, begin + chunk);
    unsigned written = (unsigned)plan[2 * blockIdx.x], quota = (unsigned)plan[2 * blockIdx.x + 1], tiesSeen = 0;
    for (long long base = begin; base < end; base += blockDim.x) {
        long long i = base + threadIdx.x;
        float xi = i < end ? x[i] : 0.0f;
        unsigned key = mag_key(xi);
        bool eq = i < end && key == threshold;
        unsigned eqTotal, selTotal;
        unsigned eqRank = tiesSeen + block_exclusive(eq, warpSums, &eqTotal);
        bool sel = i < end && (key > threshold || (eq && eqRank < quota));
        unsigned pos = written + block_exclusive(sel, warpSums, &selTotal);
        if (sel) {
            outIndex[pos] = (int)i;
            outValue[pos] = xi;
        }
        tiesSeen += eqTotal;
        written += selTotal;
    }
}
