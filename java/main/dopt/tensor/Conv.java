package dopt.tensor;

import java.util.Arrays;

/**
 * Kernels for convolutional networks on flat row-major {@code float[]}: im2col / col2im (so that a
 * convolution is one {@link Dense} matrix product), max and average pooling, and global average
 * pooling, each with its backward pass. Same conventions as {@link Dense}: shapes passed
 * explicitly, results written into caller-supplied buffers, nothing allocated, plain loops.
 *
 * <p><b>Layout.</b> An image tensor is a stack of {@code c × n} planes of {@code h × w} pixels,
 * channel-major: element (channel ci, image b, row y, column x) sits at
 * {@code ((ci·n + b)·h + y)·w + x}. With {@code n = 1} this is the usual per-image CHW layout
 * (Caffe's im2col, Jia et al. 2014); with a whole batch in {@code n} the columns of all images sit
 * side by side, so {@code W[cout × c·k²] · cols[c·k² × n·oh·ow]} is the convolution of the whole
 * batch in a single product whose output is again channel-major ({@code [cout × n × oh × ow]}).
 * The pooling kernels work plane by plane and do not care which of the two axes is outer.
 *
 * <p>Output sizes follow PyTorch ({@code floor} mode): {@link #outSize}.
 */
public final class Conv {
    private Conv() { }

    /** Positions of a k-wide window with this stride and zero padding: ⌊(size + 2·pad − k) / stride⌋ + 1. */
    public static int outSize(int size, int k, int stride, int pad) {
        if (k < 1 || stride < 1 || pad < 0 || size + 2 * pad < k)
            throw new IllegalArgumentException("window " + k + "/" + stride + "/" + pad + " does not fit " + size);
        return (size + 2 * pad - k) / stride + 1;
    }

    /** First output index o with 0 ≤ o·stride − pad + kx (the window tap lands inside the image). */
    private static int firstInside(int kx, int stride, int pad) {
        int need = pad - kx;                       // o·stride ≥ pad − kx
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output index o with o·stride − pad + kx ≤ size − 1, capped at {@code outLen}. */
    private static int endInside(int kx, int stride, int pad, int size, int outLen) {
        int lim = size - 1 + pad - kx;             // o·stride ≤ size − 1 + pad − kx
        if (lim < 0) return 0;
        return Math.min(outLen, lim / stride + 1);
    }

    /**
     * Unfolds {@code x[c × n × h × w]} into {@code cols[c·k·k × n·oh·ow]}: row (ci, ky, kx) holds, for
     * every output position of every image, the input pixel under that tap of the k×k window (0 in
     * the zero padding). Then {@code W[cout × c·k·k] · cols} is the cross-correlation that deep
     * learning calls convolution (Chellapilla, Puri and Simard 2006, "High performance convolutional
     * neural networks for document processing" — the unfolding trick; Caffe's {@code im2col}).
     */
    public static void im2col(float[] x, int c, int n, int h, int w, int k, int stride, int pad, float[] cols) {
        int oh = outSize(h, k, stride, pad), ow = outSize(w, k, stride, pad);
        int cols1 = n * oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (int ky = 0; ky < k; ky++) {
                // output rows [oy0, oy1) and columns [ox0, ox1) put this tap inside the image; the rest read padding
                int oy0 = Math.min(oh, firstInside(ky, stride, pad)), oy1 = Math.max(oy0, endInside(ky, stride, pad, h, oh));
                for (int kx = 0; kx < k; kx++) {
                    int ox0 = Math.min(ow, firstInside(kx, stride, pad)), ox1 = Math.max(ox0, endInside(kx, stride, pad, w, ow));
                    int row = ((ci * k + ky) * k + kx) * cols1;
                    for (int b = 0; b < n; b++) {
                        int plane = (ci * n + b) * h * w;
                        int dst0 = row + b * oh * ow;
                        for (int oy = 0; oy < oh; oy++) {
                            int dst = dst0 + oy * ow;
                            if (oy < oy0 || oy >= oy1) {
                                Arrays.fill(cols, dst, dst + ow, 0f);
                                continue;
                            }
                            int src = plane + (oy * stride - pad + ky) * w - pad + kx;
                            for (int ox = 0; ox < ox0; ox++) cols[dst + ox] = 0f;
                            if (stride == 1) System.arraycopy(x, src + ox0, cols, dst + ox0, ox1 - ox0); // the common case, a block copy
                            else for (int ox = ox0; ox < ox1; ox++) cols[dst + ox] = x[src + ox * stride];
                            for (int ox = ox1; ox < ow; ox++) cols[dst + ox] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: <b>adds</b> every entry of {@code cols[c·k·k × n·oh·ow]} into the
     * input pixel it was read from (entries that came from the padding are dropped). With cols =
     * Wᵀ·dY this is the gradient w.r.t. the input. The caller zeroes {@code x} first when it wants
     * the gradient alone, or keeps it to accumulate a second path (a residual shortcut).
     */
    public static void col2im(float[] cols, int c, int n, int h, int w, int k, int stride, int pad, float[] x) {
        int oh = outSize(h, k, stride, pad), ow = outSize(w, k, stride, pad);
        int cols1 = n * oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (int ky = 0; ky < k; ky++) {
                int oy0 = Math.min(oh, firstInside(ky, stride, pad)), oy1 = Math.max(oy0, endInside(ky, stride, pad, h, oh));
                for (int kx = 0; kx < k; kx++) {
                    int ox0 = Math.min(ow, firstInside(kx, stride, pad)), ox1 = Math.max(ox0, endInside(kx, stride, pad, w, ow));
                    int row = ((ci * k + ky) * k + kx) * cols1;
                    for (int b = 0; b < n; b++) {
                        int plane = (ci * n + b) * h * w;
                        int src0 = row + b * oh * ow;
                        for (int oy = oy0; oy < oy1; oy++) {
                            int src = src0 + oy * ow;
                            int dst = plane + (oy * stride - pad + ky) * w - pad + kx;
                            if (stride == 1) for (int ox = ox0; ox < ox1; ox++) x[dst + ox] += cols[src + ox]; // unit stride: vectorisable
                            else for (int ox = ox0; ox < ox1; ox++) x[dst + ox * stride] += cols[src + ox];
                        }
                    }
                }
            }
        }
    }

    /**
     * Max pooling without padding over {@code planes} planes of {@code h × w}: y[p][oy][ox] = max of
     * the k×k window at (oy·stride, ox·stride). {@code argmax} receives, per output, the flat index
     * into {@code x} of the winner (the first one on ties, as PyTorch's CPU kernel), so the backward
     * pass routes the gradient without re-reading {@code x}.
     */
    public static void maxPool(float[] x, int planes, int h, int w, int k, int stride, float[] y, int[] argmax) {
        int oh = outSize(h, k, stride, 0), ow = outSize(w, k, stride, 0);
        for (int p = 0; p < planes; p++) {
            int in = p * h * w, out = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = in + oy * stride * w + ox * stride;
                    float m = x[best];
                    for (int ky = 0; ky < k; ky++) {
                        int r = in + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) {
                            // strict > keeps the first maximum; a NaN never wins, as in x > m
                            if (x[r + kx] > m) {
                                m = x[r + kx];
                                best = r + kx;
                            }
                        }
                    }
                    y[out + oy * ow + ox] = m;
                    argmax[out + oy * ow + ox] = best;
                }
            }
        }
    }

    /**
     * Gradient of {@link #maxPool}: zeroes {@code dx[0, planes·h·w)} and adds each {@code dy} to the
     * input that won its window (overlapping windows, stride &lt; k, may add twice to one pixel).
     */
    public static void maxPoolBackward(float[] dy, int[] argmax, int planes, int h, int w, int k, int stride, float[] dx) {
        int outs = planes * outSize(h, k, stride, 0) * outSize(w, k, stride, 0);
        Arrays.fill(dx, 0, planes * h * w, 0f);
        for (int i = 0; i < outs; i++) dx[argmax[i]] += dy[i];
    }

    /** Average pooling without padding: y = mean of each k×k window (PyTorch's {@code AvgPool2d}, floor mode). */
    public static void avgPool(float[] x, int planes, int h, int w, int k, int stride, float[] y) {
        int oh = outSize(h, k, stride, 0), ow = outSize(w, k, stride, 0);
        float inv = 1f / (k * k);
        for (int p = 0; p < planes; p++) {
            int in = p * h * w, out = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float s = 0f;
                    for (int ky = 0; ky < k; ky++) {
                        int r = in + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) s += x[r + kx];
                    }
                    y[out + oy * ow + ox] = s * inv;
                }
            }
        }
    }

    /** Gradient of {@link #avgPool}: zeroes {@code dx} and spreads each dy/k² over its window. */
    public static void avgPoolBackward(float[] dy, int planes, int h, int w, int k, int stride, float[] dx) {
        int oh = outSize(h, k, stride, 0), ow = outSize(w, k, stride, 0);
        float inv = 1f / (k * k);
        Arrays.fill(dx, 0, planes * h * w, 0f);
        for (int p = 0; p < planes; p++) {
            int in = p * h * w, out = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float g = dy[out + oy * ow + ox] * inv;
                    for (int ky = 0; ky < k; ky++) {
                        int r = in + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) dx[r + kx] += g;
                    }
                }
            }
        }
    }

    /**
     * Global average pooling of channel-major {@code x[c × n × hw]} into row-major {@code y[n × c]}
     * (the transposition puts one image per row, as a linear head wants; Lin, Chen and Yan 2014,
     * "Network in network", §3.2; the pooling before ResNet's classifier, He et al. 2016).
     */
    public static void globalAvgPool(float[] x, int c, int n, int hw, float[] y) {
        float inv = 1f / hw;
        for (int ci = 0; ci < c; ci++) {
            for (int b = 0; b < n; b++) {
                int o = (ci * n + b) * hw;
                float s = 0f;
                for (int i = 0; i < hw; i++) s += x[o + i];
                y[b * c + ci] = s * inv;
            }
        }
    }

    /** Gradient of {@link #globalAvgPool}: dx[ci][b][·] = dy[b][ci] / hw (overwrites dx). */
    public static void globalAvgPoolBackward(float[] dy, int c, int n, int hw, float[] dx) {
        float inv = 1f / hw;
        for (int ci = 0; ci < c; ci++) {
            for (int b = 0; b < n; b++) {
                int o = (ci * n + b) * hw;
                float g = dy[b * c + ci] * inv;
                for (int i = 0; i < hw; i++) dx[o + i] = g;
            }
        }
    }

    /**
     * Row-major images {@code x[n × c × hw]} (one image per row, as {@code Dataset} stores them),
     * starting at row {@code row0}, into channel-major {@code y[c × n × hw]}. For c = 1 it is a copy.
     */
    public static void toChannelMajor(float[] x, int row0, int n, int c, int hw, float[] y) {
        for (int b = 0; b < n; b++) {
            int src = (row0 + b) * c * hw;
            for (int ci = 0; ci < c; ci++) System.arraycopy(x, src + ci * hw, y, (ci * n + b) * hw, hw);
        }
    }
}
