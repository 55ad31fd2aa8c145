package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.Conv;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A small ResNet for images (He, Zhang, Ren and Sun 2016, "Deep residual learning for image
 * recognition", the CIFAR family of §4.2): a 3×3 stem convolution + norm + ReLU, then stages of
 * {@link BasicBlock}s whose widths and block counts the {@link Config} gives, the first block of
 * every stage after the first halving the resolution (stride-2 convolution with a 1×1 projection
 * shortcut, or 2×2 max/average pooling), global average pooling and a linear head.
 * {@link Config#resnet8} is the default: widths 16, 32, 64 with one block each — 6n+2 = 8 layers
 * with n = 1 in the paper's notation — for 1×28×28 MNIST / Fashion-MNIST digits.
 *
 * <p>Parameters are named as torchvision's {@code resnet.py} names them ({@code conv1.weight},
 * {@code bn1.weight}, {@code layer1.0.conv1.weight}, {@code layer2.0.downsample.0.weight},
 * {@code fc.weight}); norm layers are called {@code bn*} whichever norm is chosen, as torchvision
 * does with {@code norm_layer}. Roles: convolution weights MATRIX (stored {@code [out × in·k·k]},
 * see {@link Conv2d}), norm weights and biases NORM, {@code fc.weight} HEAD, {@code fc.bias} BIAS.
 *
 * <p><b>Norms.</b> {@link Norm#GROUP} (default): {@link GroupNorm}, independent of the batch size,
 * which matters when each data-parallel rank holds a small batch; each layer uses the largest
 * divisor of its width that is at most {@link Config#groups}. {@link Norm#BATCH}:
 * {@link BatchNorm2d}, whose running statistics are {@link #buffers()} — state a checkpoint must
 * hold, updated only by {@link #forwardBackward}, and used in place of batch statistics after
 * {@link #setTraining setTraining(false)}.
 *
 * <p><b>Layout and kernels.</b> Inside the network activations are channel-major
 * {@code [channels × batch × h × w]}, so each convolution is one im2col + one {@link Dense#matmul}
 * for the whole batch (output already in that layout, no per-image loop or transpose); the input
 * rows are transposed once on entry ({@link Conv#toChannelMajor}, a copy for one channel).
 *
 * <p><b>Cost.</b> {@link #flopsPerImage()} counts the forward multiply-adds × 2 of the
 * convolutions and the head; a training step costs about 3× that per image (backward: dW and dX
 * each as large as the forward), plus O(activations) for norms, ReLUs and im2col copies. For
 * {@code resnet8(1, 28, 28, 10)}: 18.7 MFLOPs forward per image, ≈ 1.8 GFLOPs per training step
 * at batch 32 — measured ≈ 70 ms of CPU per forward + backward at batch 32 on one core (SIMD
 * products, 2026-11 dev machine; ≈ 27 ms forward only), of which the matrix products are about
 * two thirds and im2col/col2im most of the rest. Memory: {@link #bufferFloats()} floats of activations and scratch, linear in
 * {@code maxBatch} (≈ 290 k floats = 1.1 MiB per image for the default), plus 78 k parameters and
 * their gradients. Forward-only calls ({@link #loss}, {@link #countCorrect}) accept batches
 * larger than {@code maxBatch} and run them in chunks, so the buffers need to be sized only for
 * the training batch.
 */
public final class Cnn implements Model {

    /** Which normalisation follows every convolution. */
    public enum Norm { GROUP, BATCH }

    /** How the first block of each later stage halves the resolution. */
    public enum Downsample { STRIDE, MAX_POOL, AVG_POOL }

    /**
     * Shape of the network: input {@code channels × height × width}, {@code classes} outputs,
     * stage {@code widths} with {@code blocks} basic blocks each, the norm (with at most
     * {@code groups} groups for GroupNorm), and the downsampling between stages.
     */
    public record Config(int channels, int height, int width, int classes, int[] widths, int[] blocks,
                         Norm norm, int groups, Downsample downsample) {
        public Config {
            widths = widths.clone();
            blocks = blocks.clone();
            if (channels < 1 || height < 1 || width < 1 || classes < 2 || groups < 1)
                throw new IllegalArgumentException("bad CNN shape");
            if (widths.length == 0 || widths.length != blocks.length)
                throw new IllegalArgumentException("one block count per stage width is needed");
            for (int i = 0; i < widths.length; i++)
                if (widths[i] < 1 || blocks[i] < 1) throw new IllegalArgumentException("stage " + i + " is empty");
        }

        /**
         * ResNet-8: widths 16, 32, 64, one block each, GroupNorm with up to 8 groups (2, 4 and 8
         * channels per group; Wu and He 2018 report little sensitivity to the group count),
         * stride-2 downsampling.
         */
        public static Config resnet8(int channels, int height, int width, int classes) {
            return new Config(channels, height, width, classes, new int[] {16, 32, 64}, new int[] {1, 1, 1},
                    Norm.GROUP, 8, Downsample.STRIDE);
        }

        public Config withNorm(Norm n) {
            return new Config(channels, height, width, classes, widths, blocks, n, groups, downsample);
        }

        public Config withDownsample(Downsample d) {
            return new Config(channels, height, width, classes, widths, blocks, norm, groups, d);
        }

        public Config withStages(int[] stageWidths, int[] stageBlocks) {
            return new Config(channels, height, width, classes, stageWidths, stageBlocks, norm, groups, downsample);
        }

        public Config withGroups(int g) {
            return new Config(channels, height, width, classes, widths, blocks, norm, g, downsample);
        }

        @Override public int[] widths() { return widths.clone(); }
        @Override public int[] blocks() { return blocks.clone(); }
    }

    private final Config cfg;
    private final int maxBatch, inputSize, hw0;
    private final Conv2d stem;
    private final Norm2d stemNorm;
    private final BasicBlock[] blocks;
    private final Param fcWeight, fcBias;
    private final int lastC, lastHw;
    private final List<Param> params = new ArrayList<>(), buffers = new ArrayList<>();
    private final float[] xin, c0, a0;                 // channel-major input, stem conv out, ReLU(stem norm)
    private final float[] pooled, logits, dLogits, dPooled;
    private final float[] g0, g1, t1, t2, cols;        // gradient ping-pong, scratch, shared im2col columns
    private final int[] labels;                        // a chunk's labels, for forward-only calls in chunks
    private boolean training = true;
    private int lastBatch;                             // images in the last forward pass

    /** A network of shape {@code cfg} with buffers for up to {@code maxBatch} images per training step; call {@link #init} next. */
    public Cnn(Config cfg, int maxBatch) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1");
        this.cfg = cfg;
        this.maxBatch = maxBatch;
        int[] widths = cfg.widths(), nBlocks = cfg.blocks();
        hw0 = cfg.height() * cfg.width();
        inputSize = cfg.channels() * hw0;
        stem = new Conv2d("conv1.weight", cfg.channels(), widths[0], 3, 1, 1, cfg.height(), cfg.width());
        stemNorm = norm("bn1", widths[0], hw0, cfg, maxBatch);
        params.add(stem.weight);
        params.add(stemNorm.weight());
        params.add(stemNorm.bias());
        buffers.addAll(stemNorm.buffers());
        int total = 0;
        for (int b : nBlocks) total += b;
        blocks = new BasicBlock[total];
        int c = widths[0], h = cfg.height(), w = cfg.width(), at = 0;
        int maxPer = Math.max(inputSize, c * hw0), maxCols = stem.colsPerImage();
        for (int s = 0; s < widths.length; s++) {
            for (int i = 0; i < nBlocks[s]; i++) {
                boolean down = s > 0 && i == 0;
                int stride = down && cfg.downsample() == Downsample.STRIDE ? 2 : 1;
                Downsample pool = down ? cfg.downsample() : Downsample.STRIDE;
                BasicBlock b = new BasicBlock("layer" + (s + 1) + "." + i, c, widths[s], h, w, stride, pool, cfg, maxBatch);
                blocks[at++] = b;
                params.addAll(b.params());
                buffers.addAll(b.buffers());
                maxPer = Math.max(maxPer, b.maxPerImage());
                maxCols = Math.max(maxCols, b.colsPerImage());
                c = widths[s];
                h = b.h;
                w = b.w;
            }
        }
        lastC = c;
        lastHw = h * w;
        fcWeight = new Param("fc.weight", Param.Role.HEAD, cfg.classes(), lastC);
        fcBias = new Param("fc.bias", Param.Role.BIAS, cfg.classes());
        params.add(fcWeight);
        params.add(fcBias);
        xin = new float[maxBatch * inputSize];
        c0 = new float[maxBatch * widths[0] * hw0];
        a0 = new float[maxBatch * widths[0] * hw0];
        pooled = new float[maxBatch * lastC];
        dPooled = new float[maxBatch * lastC];
        logits = new float[maxBatch * cfg.classes()];
        dLogits = new float[maxBatch * cfg.classes()];
        g0 = new float[maxBatch * maxPer];
        g1 = new float[maxBatch * maxPer];
        t1 = new float[maxBatch * maxPer];
        t2 = new float[maxBatch * maxPer];
        cols = new float[Math.max(1, maxBatch * maxCols)];
        labels = new int[maxBatch];
    }

    /** The norm a config asks for; GroupNorm takes the largest divisor of {@code channels} ≤ groups. */
    static Norm2d norm(String name, int channels, int hw, Config cfg, int maxBatch) {
        if (cfg.norm() == Norm.BATCH) return new BatchNorm2d(name, channels, hw);
        int g = Math.min(cfg.groups(), channels);
        while (channels % g != 0) g--;
        return new GroupNorm(name, channels, g, hw, maxBatch);
    }

    public Config config() { return cfg; }
    @Override public List<Param> params() { return Collections.unmodifiableList(params); }
    @Override public List<Param> buffers() { return Collections.unmodifiableList(buffers); }
    @Override public int inputSize() { return inputSize; }
    @Override public int classes() { return cfg.classes(); }
    @Override public int maxBatch() { return maxBatch; }
    @Override public void setTraining(boolean training) { this.training = training; }
    public boolean training() { return training; }

    /** Forward FLOPs per image: 2 × multiply-adds of every convolution and of the head. */
    public long flopsPerImage() {
        long f = stem.flopsPerImage() + 2L * lastC * cfg.classes();
        for (BasicBlock b : blocks) f += b.flopsPerImage();
        return f;
    }

    /** Floats (and ints, for max-pool winners) allocated for activations, gradients and scratch. */
    public long bufferFloats() {
        long f = (long) xin.length + c0.length + a0.length + pooled.length + dPooled.length + logits.length
                + dLogits.length + g0.length + g1.length + t1.length + t2.length + cols.length;
        for (BasicBlock b : blocks) f += b.bufferFloats();
        return f;
    }

    /**
     * In {@link #params()} order: convolutions Kaiming-normal (fan-out, {@link Conv2d#init}), norms
     * γ = 1 and β = 0 (running mean 0, variance 1), the head as PyTorch's {@code nn.Linear}:
     * weight and bias ~ U(−1/√in, 1/√in).
     */
    @Override
    public void init(Rng rng) {
        stem.init(rng);
        stemNorm.init();
        for (BasicBlock b : blocks) b.init(rng);
        double bound = 1 / Math.sqrt(lastC);
        for (Param p : new Param[] {fcWeight, fcBias}) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
    }

    /** Logits of rows [row0, row0 + n) of {@code x}. */
    private void forward(float[] x, int row0, int n, boolean updateStats) {
        if (n > maxBatch || n < 1) throw new IllegalArgumentException("batch " + n + " outside 1.." + maxBatch);
        lastBatch = n;
        Conv.toChannelMajor(x, row0, n, cfg.channels(), hw0, xin);
        stem.forward(xin, n, c0, cols);
        stemNorm.forward(c0, n, a0, training, updateStats);
        Dense.relu(a0, stem.out * n * hw0);
        float[] cur = a0;
        for (BasicBlock b : blocks) {
            b.forward(cur, n, training, updateStats, t1, cols);
            cur = b.out;
        }
        Conv.globalAvgPool(cur, lastC, n, lastHw, pooled);
        Dense.matmulBT(pooled, fcWeight.value(), logits, n, lastC, cfg.classes());
        Dense.addRowVector(logits, fcBias.value(), n, cfg.classes());
    }

    /** One training step's forward and backward; in training mode it also moves BatchNorm's running statistics. */
    @Override
    public float forwardBackward(float[] x, int[] y, int batch) {
        forward(x, 0, batch, true);
        int k = cfg.classes(), n = batch;
        float loss = Dense.softmaxCrossEntropy(logits, y, n, k, dLogits);
        Dense.matmulAT(dLogits, pooled, fcWeight.grad(), k, n, lastC);
        Dense.sumRows(dLogits, fcBias.grad(), n, k);
        Dense.matmul(dLogits, fcWeight.value(), dPooled, n, k, lastC);
        float[] dOut = g0, dIn = g1;
        Conv.globalAvgPoolBackward(dPooled, lastC, n, lastHw, dOut);
        for (int i = blocks.length - 1; i >= 0; i--) {
            blocks[i].backward(i == 0 ? a0 : blocks[i - 1].out, dOut, n, dIn, t1, t2, cols);
            float[] t = dOut;
            dOut = dIn;
            dIn = t;
        }
        Dense.reluBackward(a0, dOut, stem.out * n * hw0);
        stemNorm.backward(c0, dOut, n, t1);
        stem.backward(xin, t1, n, null, false, cols);     // the input needs no gradient
        return loss;
    }

    /**
     * Mean cross-entropy, forward only, never moving running statistics. A batch larger than
     * {@code maxBatch} runs in chunks — exact except for BatchNorm in training mode, whose batch
     * statistics would then be per chunk, so that case is refused.
     */
    @Override
    public float loss(float[] x, int[] y, int batch) {
        checkChunkable(batch);
        double total = 0;
        for (int r0 = 0; r0 < batch; r0 += maxBatch) {
            int n = Math.min(maxBatch, batch - r0);
            forward(x, r0, n, false);
            System.arraycopy(y, r0, labels, 0, n);
            total += (double) Dense.softmaxCrossEntropy(logits, labels, n, cfg.classes(), null) * n;
        }
        return (float) (total / batch);
    }

    @Override
    public int countCorrect(float[] x, int[] y, int batch) {
        checkChunkable(batch);
        int k = cfg.classes(), correct = 0;
        for (int r0 = 0; r0 < batch; r0 += maxBatch) {
            int n = Math.min(maxBatch, batch - r0);
            forward(x, r0, n, false);
            for (int i = 0; i < n; i++) if (Dense.argmax(logits, i * k, k) == y[r0 + i]) correct++;
        }
        return correct;
    }

    private void checkChunkable(int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " < 1");
        if (batch > maxBatch && training && cfg.norm() == Norm.BATCH)
            throw new IllegalArgumentException("batch " + batch + " > maxBatch " + maxBatch
                    + ": BatchNorm in training mode needs the whole batch at once; call setTraining(false) to evaluate");
    }

    /**
     * A hash of which ReLU units were active and which inputs won each max pool in the last forward
     * pass. The network is smooth (norms, convolutions, softmax) within one such pattern and has
     * kinks between patterns, so a finite-difference gradient check compares only perturbations
     * that keep the pattern (equal hashes; a collision would only let a kinked coordinate through).
     */
    long activationPattern() {
        long hash = 17;
        int len = stem.out * lastBatch * hw0;
        for (int i = 0; i < len; i++) hash = hash * 31 + (a0[i] > 0f ? 1 : 0);
        for (BasicBlock b : blocks) hash = b.pattern(hash, lastBatch);
        return hash;
    }

    /** Human-readable summary, e.g. for the trainer's log. */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "ResNet %dx%dx%d widths %s blocks %s %s-norm %s, %d params, %.1f MFLOPs/image",
                cfg.channels(), cfg.height(), cfg.width(), Arrays.toString(cfg.widths()), Arrays.toString(cfg.blocks()),
                cfg.norm().name().toLowerCase(java.util.Locale.ROOT), cfg.downsample().name().toLowerCase(java.util.Locale.ROOT),
                params.stream().mapToLong(Param::size).sum(), flopsPerImage() / 1e6);
    }
}
