// Row softmax and softmax cross-entropy over [rows × cols] row-major logits, one block of 256
// threads per row. Stable: the row maximum is subtracted before exponentiating (as
// dopt.tensor.Softmax and Dense.softmaxCrossEntropy). The exponential sums accumulate in double,
// as on the CPU; expf is the accurate one (no --use_fast_math).
#include "common.cuh"

__device__ float block_max(float v, float* s) {
    s[threadIdx.x] = v;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) s[threadIdx.x] = fmaxf(s[threadIdx.x], s[threadIdx.x + w]);
        __syncthreads();
    }
    float r = s[0];
    __syncthreads();
    return r;
}

__device__ double block_sum(double v, double* s) {
    s[threadIdx.x] = v;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
        __syncthreads();
    }
    double r = s[0];
    __syncthreads();
    return r;
}

// x[row, :] <- softmax(x[row, :]); grid = rows, block = 256
extern "C" __global__ void softmax_rows_f32(int rows, int cols, float* __restrict__ x) {
    __shared__ float sf[256];
    __shared__ double sd[256];
    float* row = x + (long long)blockIdx.x * cols;
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) mx = fmaxf(mx, row[j]);
    mx = block_max(mx, sf);
    double acc = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float e = expf(row[j] - mx);
        row[j] = e;
        acc += e;
    }
    float inv = (float)(1.0 / block_sum(acc, sd));
    for (int j = threadIdx.x; j < cols; j += blockDim.x) row[j] = row[j] * inv;
}

// rowLoss[row] = logsumexp(logits[row]) - logits[row, label]; grad (unless null) =
// (softmax - onehot) / batch. grid = batch, block = 256. Labels were range-checked on the host.
extern "C" __global__ void softmax_xent_f32(int batch, int classes, const float* __restrict__ logits, const int* __restrict__ labels,
                                            float* __restrict__ grad, double* __restrict__ rowLoss) {
    __shared__ float sf[256];
    __shared__ double sd[256];
    long long o = (long long)blockIdx.x * classes;
    const float* row = logits + o;
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) mx = fmaxf(mx, row[j]);
    mx = block_max(mx, sf);
    double acc = 0.0;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) acc += exp((double)(row[j] - mx));
    double logSum = log(block_sum(acc, sd)) + mx;
    int y = labels[blockIdx.x];
    if (threadIdx.x == 0) rowLoss[blockIdx.x] = logSum - row[y];
    if (grad != nullptr) {
        float invB = 1.0f / batch;
        for (int j = threadIdx.x; j < classes; j += blockDim.x) {
            float p = (float)exp(row[j] - logSum) * invB;
            grad[o + j] = j == y ? p - invB : p;
        }
    }
}
