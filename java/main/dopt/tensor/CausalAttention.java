package dopt.tensor;

/**
 * Causal multi-head scaled dot-product attention (Vaswani et al. 2017, eq. 1, with the decoder's
 * mask of §3.2.3): per sequence and head, O = softmax(Q·Kᵀ/√d_head + M)·V with M = −∞ above the
 * diagonal, so position i attends to positions j ≤ i only.
 *
 * <p>Layout: q, k, v and the output are {@code [batch·seqLen × heads·headDim]} (the output of the
 * projection matmuls, rows b·seqLen + t, head h in columns [h·headDim, (h+1)·headDim)). Each
 * (sequence, head) block is copied into contiguous scratch so that the products run on
 * {@link Dense}'s kernels, which take whole arrays from index 0; the copies cost O(T·d) against
 * the O(T²·d) products. K (and V in the backward pass) is copied transposed, so that Q·Kᵀ and
 * dO·Vᵀ run on {@link Dense#matmul} rather than {@link Dense#matmulBT}: with a short shared
 * dimension (the head size, 32 here) the latter's per-output lane reductions dominate: attention
 * took about 1.5× longer that way (59 vs 39 ms per step of the 1 M preset at batch 8 × 128, on
 * one core). The products cover the full T×T square; the masked half is wasted work, accepted so
 * that all of it runs on the shared SIMD kernels.
 *
 * <p>An instance owns that scratch (sized for {@code maxSeqLen}), so it is not thread-safe;
 * {@link #forward} and {@link #backward} allocate nothing.
 */
public final class CausalAttention {
    private final int headDim, maxSeqLen;
    private final float scale;
    private final float[] qh, kh, vh, oh, dqh, dkh, dvh;   // [T × headDim]
    private final float[] kt;                              // [headDim × T]: Kᵀ, or Vᵀ in the backward pass
    private final float[] s, p;                            // [T × T]

    public CausalAttention(int headDim, int maxSeqLen) {
        if (headDim < 1 || maxSeqLen < 1) throw new IllegalArgumentException("bad attention shape");
        this.headDim = headDim;
        this.maxSeqLen = maxSeqLen;
        this.scale = (float) (1 / Math.sqrt(headDim));
        int th = maxSeqLen * headDim;
        qh = new float[th];
        kh = new float[th];
        vh = new float[th];
        oh = new float[th];
        dqh = new float[th];
        dkh = new float[th];
        dvh = new float[th];
        kt = new float[th];
        s = new float[maxSeqLen * maxSeqLen];
        p = new float[maxSeqLen * maxSeqLen];
    }

    /** Floats of the probability buffer that {@link #forward} fills for these sizes. */
    public static int probsSize(int batch, int heads, int seqLen) {
        return Math.multiplyExact(Math.multiplyExact(batch, heads), Math.multiplyExact(seqLen, seqLen));
    }

    /**
     * out = attention(q, k, v). The attention probabilities are kept in
     * {@code probs[(b·heads + h)·T·T + i·T + j]} (zero for j &gt; i) because the backward pass needs
     * them; they are not recomputed.
     */
    public void forward(float[] q, float[] k, float[] v, float[] probs, float[] out, int batch, int seqLen, int heads) {
        check(seqLen);
        int t2 = seqLen * seqLen;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                gather(q, qh, b, h, seqLen, heads);
                gatherTransposed(k, kt, b, h, seqLen, heads);
                gather(v, vh, b, h, seqLen, heads);
                Dense.matmul(qh, kt, s, seqLen, headDim, seqLen);
                for (int i = 0; i < seqLen; i++) {
                    int o = i * seqLen;
                    for (int j = 0; j <= i; j++) s[o + j] *= scale;
                    Softmax.rowInPlace(s, o, i + 1);
                    // exact zeros above the diagonal: the P·V product below then ignores the future
                    for (int j = i + 1; j < seqLen; j++) s[o + j] = 0f;
                }
                System.arraycopy(s, 0, probs, (b * heads + h) * t2, t2);
                Dense.matmul(s, vh, oh, seqLen, seqLen, headDim);
                scatter(oh, out, b, h, seqLen, heads);
            }
        }
    }

    /**
     * Backward of {@link #forward}, given dOut: dV = Pᵀ·dO, dP = dO·Vᵀ, dS = softmax-backward(P, dP)/√d
     * (zero above the diagonal, where the mask made S irrelevant), dQ = dS·K, dK = dSᵀ·Q. dq, dk
     * and dv are overwritten.
     */
    public void backward(float[] q, float[] k, float[] v, float[] probs, float[] dOut,
                         float[] dq, float[] dk, float[] dv, int batch, int seqLen, int heads) {
        check(seqLen);
        int t2 = seqLen * seqLen;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                gather(q, qh, b, h, seqLen, heads);
                gather(k, kh, b, h, seqLen, heads);
                gatherTransposed(v, kt, b, h, seqLen, heads);
                gather(dOut, oh, b, h, seqLen, heads);
                System.arraycopy(probs, (b * heads + h) * t2, p, 0, t2);
                Dense.matmulAT(p, oh, dvh, seqLen, seqLen, headDim);
                Dense.matmul(oh, kt, s, seqLen, headDim, seqLen);
                for (int i = 0; i < seqLen; i++) {
                    int o = i * seqLen;
                    Softmax.rowBackwardInPlace(p, s, o, i + 1);
                    for (int j = 0; j <= i; j++) s[o + j] *= scale;
                    for (int j = i + 1; j < seqLen; j++) s[o + j] = 0f;
                }
                Dense.matmul(s, kh, dqh, seqLen, seqLen, headDim);
                Dense.matmulAT(s, qh, dkh, seqLen, seqLen, headDim);
                scatter(dqh, dq, b, h, seqLen, heads);
                scatter(dkh, dk, b, h, seqLen, heads);
                scatter(dvh, dv, b, h, seqLen, heads);
            }
        }
    }

    private void check(int seqLen) {
        if (seqLen < 1 || seqLen > maxSeqLen) throw new IllegalArgumentException("seqLen " + seqLen + " outside 1.." + maxSeqLen);
    }

    /** head[t·headDim + c] = x[(b·T + t)·width + h·headDim + c]. */
    private void gather(float[] x, float[] head, int b, int h, int seqLen, int heads) {
        int width = heads * headDim;
        for (int t = 0; t < seqLen; t++) System.arraycopy(x, (b * seqLen + t) * width + h * headDim, head, t * headDim, headDim);
    }

    /** headT[c·T + t] = x[(b·T + t)·width + h·headDim + c]: the block transposed. */
    private void gatherTransposed(float[] x, float[] headT, int b, int h, int seqLen, int heads) {
        int width = heads * headDim;
        for (int t = 0; t < seqLen; t++) {
            int o = (b * seqLen + t) * width + h * headDim;
            for (int c = 0; c < headDim; c++) headT[c * seqLen + t] = x[o + c];
        }
    }

    private void scatter(float[] head, float[] x, int b, int h, int seqLen, int heads) {
        int width = heads * headDim;
        for (int t = 0; t < seqLen; t++) System.arraycopy(head, t * headDim, x, (b * seqLen + t) * width + h * headDim, headDim);
    }
}
