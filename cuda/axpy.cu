// First kernel of the GPU backend ([GPU] issue): y <- a*x + y over n floats.
// Built to PTX by CMakeLists.txt; the JCuda driver API loads the PTX at run time.
extern "C" __global__ void axpy(int n, float a, const float* __restrict__ x, float* __restrict__ y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int stride = gridDim.x * blockDim.x;
    for (; i < n; i += stride) y[i] = a * x[i] + y[i];
}
