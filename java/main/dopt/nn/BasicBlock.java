package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Conv;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * ResNet's basic block (He, Zhang, Ren and Sun 2016, "Deep residual learning for image
 * recognition", Fig. 2 and §4.2): out = ReLU(norm2(conv2(ReLU(norm1(conv1(x))))) + shortcut(x)),
 * both convolutions 3×3 with padding 1. The shortcut is the identity when the shape is kept, and
 * otherwise their option B, a 1×1 convolution (stride 2 when downsampling) followed by a norm —
 * torchvision's {@code downsample} = {@code Sequential(conv1x1, norm)}, hence the parameter names
 * {@code <prefix>.downsample.0.weight} and {@code <prefix>.downsample.1.weight}.
 *
 * <p>With {@code pool} set, the block first halves its input with 2×2 pooling (stride 2) and then
 * runs its convolutions at stride 1 — the pooling alternative to strided convolutions.
 *
 * <p>Activations are channel-major ({@code [channels × n × h × w]}, see {@link Conv}). The block
 * keeps what its backward pass needs: the pre-norm convolution outputs (the norms recompute x̂
 * from them), the post-ReLU inner activation and its output; gradients go through scratch
 * buffers owned by the {@link Cnn}.
 *
 * <p>Cost per image (forward; backward is about twice): 2·cout·cin·9·h·w + 2·cout²·9·h·w FLOPs for
 * the two convolutions, 2·cout·cin·h·w for a projection, O(cout·h·w) for norms, ReLUs and the sum.
 * Memory per image: 4 tensors of cout·h·w (5 with a projection), plus the pooled input and its
 * gradient when pooling.
 */
final class BasicBlock {
    private final Conv2d conv1, conv2, proj;
    private final Norm2d norm1, norm2, projNorm;
    private final Cnn.Downsample pool;       // null: none (a stride-2 conv1 may downsample)
    final int inC, outC, inH, inW, h, w;     // input shape, and the block's own resolution
    private final float[] pooled, dPooled;   // the pooled input and its gradient (pooling only)
    private final int[] argmax;              // winners of the max pool
    private final float[] c1, a1, c2, pc;    // conv1 out, ReLU(norm1), conv2 out, projection conv out
    final float[] out;                       // ReLU(norm2 + shortcut): the block's output
    private final List<Param> params = new ArrayList<>(), buffers = new ArrayList<>();

    BasicBlock(String prefix, int inC, int outC, int inH, int inW, int stride, Cnn.Downsample pool,
               Cnn.Config cfg, int maxBatch) {
        this.inC = inC;
        this.outC = outC;
        this.inH = inH;
        this.inW = inW;
        this.pool = pool == Cnn.Downsample.STRIDE ? null : pool;
        int ch = inH, cw = inW;
        if (this.pool != null) {
            if (stride != 1) throw new IllegalArgumentException("a pooling block convolves at stride 1");
            ch = Conv.outSize(inH, 2, 2, 0);
            cw = Conv.outSize(inW, 2, 2, 0);
        }
        conv1 = new Conv2d(prefix + ".conv1.weight", inC, outC, 3, stride, 1, ch, cw);
        h = conv1.oh;
        w = conv1.ow;
        norm1 = Cnn.norm(prefix + ".bn1", outC, h * w, cfg, maxBatch);
        conv2 = new Conv2d(prefix + ".conv2.weight", outC, outC, 3, 1, 1, h, w);
        norm2 = Cnn.norm(prefix + ".bn2", outC, h * w, cfg, maxBatch);
        boolean project = stride != 1 || inC != outC;
        proj = project ? new Conv2d(prefix + ".downsample.0.weight", inC, outC, 1, stride, 0, ch, cw) : null;
        projNorm = project ? Cnn.norm(prefix + ".downsample.1", outC, h * w, cfg, maxBatch) : null;
        int size = maxBatch * outC * h * w, pooledSize = maxBatch * inC * ch * cw;
        pooled = this.pool != null ? new float[pooledSize] : null;
        dPooled = this.pool != null ? new float[pooledSize] : null;
        argmax = this.pool == Cnn.Downsample.MAX_POOL ? new int[pooledSize] : null;
        c1 = new float[size];
        a1 = new float[size];
        c2 = new float[size];
        pc = project ? new float[size] : null;
        out = new float[size];
        params.add(conv1.weight);
        add(norm1);
        params.add(conv2.weight);
        add(norm2);
        if (project) {
            params.add(proj.weight);
            add(projNorm);
        }
    }

    private void add(Norm2d n) {
        params.add(n.weight());
        params.add(n.bias());
        buffers.addAll(n.buffers());
    }

    List<Param> params() { return params; }
    List<Param> buffers() { return buffers; }

    /** Largest activation per image this block reads or writes (sizes the Cnn's scratch). */
    int maxPerImage() { return Math.max(inC * inH * inW, outC * h * w); }

    int colsPerImage() {
        int c = Math.max(conv1.colsPerImage(), conv2.colsPerImage());
        return proj == null ? c : Math.max(c, proj.colsPerImage());
    }

    long flopsPerImage() {
        long f = conv1.flopsPerImage() + conv2.flopsPerImage();
        return proj == null ? f : f + proj.flopsPerImage();
    }

    /** Floats this block allocated for activations (excluding the norms' per-group statistics). */
    long bufferFloats() {
        long f = c1.length + a1.length + c2.length + out.length + (pc == null ? 0 : pc.length);
        return pool == null ? f : f + pooled.length + dPooled.length + (argmax == null ? 0 : argmax.length);
    }

    void init(Rng rng) {
        conv1.init(rng);
        norm1.init();
        conv2.init(rng);
        norm2.init();
        if (proj != null) {
            proj.init(rng);
            projNorm.init();
        }
    }

    /** The block on input {@code in[inC × n × inH × inW]} into {@link #out}; {@code scratch} is overwritten. */
    void forward(float[] in, int n, boolean training, boolean updateStats, float[] scratch, float[] cols) {
        float[] src = in;
        if (pool == Cnn.Downsample.MAX_POOL) Conv.maxPool(in, inC * n, inH, inW, 2, 2, pooled, argmax);
        if (pool == Cnn.Downsample.AVG_POOL) Conv.avgPool(in, inC * n, inH, inW, 2, 2, pooled);
        if (pool != null) src = pooled;
        int len = outC * n * h * w;
        conv1.forward(src, n, c1, cols);
        norm1.forward(c1, n, a1, training, updateStats);
        Dense.relu(a1, len);
        conv2.forward(a1, n, c2, cols);
        norm2.forward(c2, n, out, training, updateStats);
        if (proj != null) {
            proj.forward(src, n, pc, cols);
            projNorm.forward(pc, n, scratch, training, updateStats);
            for (int i = 0; i < len; i++) out[i] += scratch[i];
        } else {
            for (int i = 0; i < len; i++) out[i] += src[i];
        }
        Dense.relu(out, len);
    }

    /**
     * Folds into {@code hash} which units of this block's ReLUs were active and which inputs won
     * its max pool in the last forward pass of {@code n} images (see {@link Cnn#activationPattern}).
     */
    long pattern(long hash, int n) {
        int len = outC * n * h * w;
        for (int i = 0; i < len; i++) hash = hash * 31 + (a1[i] > 0f ? 1 : 0);
        for (int i = 0; i < len; i++) hash = hash * 31 + (out[i] > 0f ? 1 : 0);
        if (argmax != null) for (int i = 0, m = inC * n * h * w; i < m; i++) hash = hash * 31 + argmax[i];
        return hash;
    }

    /**
     * Given the forward's input and dL/d(out) in {@code dOut} (overwritten: masked by the final
     * ReLU), writes dL/d(in) into {@code dIn} and every parameter gradient of the block.
     * {@code t1}, {@code t2} and {@code cols} are scratch.
     */
    void backward(float[] in, float[] dOut, int n, float[] dIn, float[] t1, float[] t2, float[] cols) {
        int len = outC * n * h * w;
        float[] src = pool == null ? in : pooled, dSrc = pool == null ? dIn : dPooled;
        Dense.reluBackward(out, dOut, len);              // dOut is now dL/d(sum), shared by both paths
        norm2.backward(c2, dOut, n, t1);
        conv2.backward(a1, t1, n, t2, false, cols);
        Dense.reluBackward(a1, t2, len);
        norm1.backward(c1, t2, n, t1);
        conv1.backward(src, t1, n, dSrc, false, cols);
        if (proj != null) {
            projNorm.backward(pc, dOut, n, t1);
            proj.backward(src, t1, n, dSrc, true, cols);
        } else {
            for (int i = 0; i < len; i++) dSrc[i] += dOut[i];
        }
        if (pool == Cnn.Downsample.MAX_POOL) Conv.maxPoolBackward(dPooled, argmax, inC * n, inH, inW, 2, 2, dIn);
        if (pool == Cnn.Downsample.AVG_POOL) Conv.avgPoolBackward(dPooled, inC * n, inH, inW, 2, 2, dIn);
    }
}
