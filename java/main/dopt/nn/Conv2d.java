package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Conv;
import dopt.tensor.Dense;
import dopt.tensor.Param;

/**
 * A bias-free 2-D convolution (every convolution in the ResNet here is followed by a norm, whose
 * shift makes a bias redundant — He et al. 2016 use none), on channel-major activations
 * {@code [channels × n × h × w]} (see {@link Conv}). Computed as im2col + one {@link Dense}
 * product for the whole batch; the columns buffer belongs to the caller and is shared by every
 * layer, so the backward pass unfolds the layer's input again instead of keeping its columns.
 *
 * <p>The weight is stored {@code [out × in·k·k]}: PyTorch's {@code [out, in, k, k]} in the same
 * row-major order, flattened to 2-D so that optimizers that need a matrix (orthogonalising or
 * low-rank ones) see the map from a receptive field to an output channel; role MATRIX.
 *
 * <p>Cost per image: forward 2·out·in·k²·oh·ow FLOPs; backward twice that (dW and dX), plus
 * O(in·k²·oh·ow) copies for im2col/col2im. Memory: the weight and its gradient; the columns
 * buffer (in·k²·oh·ow floats per image) is shared.
 */
final class Conv2d {
    final Param weight;
    final int in, out, k, stride, pad, h, w, oh, ow;
    /** A 1×1, stride-1, unpadded convolution reads its input as the columns directly. */
    private final boolean pointwise;

    Conv2d(String name, int in, int out, int k, int stride, int pad, int h, int w) {
        this.in = in;
        this.out = out;
        this.k = k;
        this.stride = stride;
        this.pad = pad;
        this.h = h;
        this.w = w;
        this.oh = Conv.outSize(h, k, stride, pad);
        this.ow = Conv.outSize(w, k, stride, pad);
        this.pointwise = k == 1 && stride == 1 && pad == 0;
        this.weight = new Param(name, Param.Role.MATRIX, out, in * k * k);
    }

    /** Floats of the columns buffer per image (0 when the input itself serves as the columns). */
    int colsPerImage() { return pointwise ? 0 : in * k * k * oh * ow; }

    /** Forward multiply-adds × 2 per image. */
    long flopsPerImage() { return 2L * out * in * k * k * oh * ow; }

    /**
     * Kaiming-normal, fan-out mode: N(0, 2 / (out·k²)) (He, Zhang, Ren and Sun 2015, "Delving deep
     * into rectifiers", §2.2, the backward-propagation condition ½·k²·out·Var[w] = 1, which keeps
     * the gradients' variance constant through the layers;
     * torchvision's ResNet initialises its convolutions this way).
     */
    void init(Rng rng) {
        double std = Math.sqrt(2.0 / (out * k * k));
        float[] v = weight.value();
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    }

    /** y[out × n·oh·ow] = W · im2col(x). */
    void forward(float[] x, int n, float[] y, float[] cols) {
        float[] src = x;
        if (!pointwise) {
            Conv.im2col(x, in, n, h, w, k, stride, pad, cols);
            src = cols;
        }
        Dense.matmul(weight.value(), src, y, out, in * k * k, n * oh * ow);
    }

    /**
     * dW = dY · colsᵀ (overwrites the weight gradient); unless {@code dx} is null, also the input
     * gradient col2im(Wᵀ · dY), written into {@code dx} or added to it when {@code accumulate}
     * (the second path of a residual block). {@code cols} is overwritten.
     */
    void backward(float[] x, float[] dy, int n, float[] dx, boolean accumulate, float[] cols) {
        int kk = in * k * k, cols1 = n * oh * ow;
        float[] src = x;
        if (!pointwise) {
            Conv.im2col(x, in, n, h, w, k, stride, pad, cols);
            src = cols;
        }
        Dense.matmulBT(dy, src, weight.grad(), out, cols1, kk);
        if (dx == null) return;
        if (pointwise && !accumulate) {
            Dense.matmulAT(weight.value(), dy, dx, kk, out, cols1);
            return;
        }
        // the columns are spent once dW is known, so their buffer takes Wᵀ·dY
        Dense.matmulAT(weight.value(), dy, cols, kk, out, cols1);
        int len = in * n * h * w;
        if (pointwise) {
            for (int i = 0; i < len; i++) dx[i] += cols[i];
            return;
        }
        if (!accumulate) java.util.Arrays.fill(dx, 0, len, 0f);
        Conv.col2im(cols, in, n, h, w, k, stride, pad, dx);
    }
}
