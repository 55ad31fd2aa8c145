package dopt.nn;

/**
 * The shape of a {@link TransformerLm}: vocabulary size, model width {@code dim}, number of
 * blocks, attention heads (dim must split into heads of even size for RoPE), SwiGLU hidden width,
 * the longest sequence the buffers and rotary tables cover, and whether the output head shares the
 * token embedding's matrix.
 */
public record TransformerConfig(int vocab, int dim, int layers, int heads, int hidden, int maxSeqLen, boolean tied) {

    /** The SwiGLU width is rounded up to a multiple of this (LLaMA's {@code multiple_of}, 256 there). */
    public static final int HIDDEN_MULTIPLE = 32;

    public TransformerConfig {
        if (vocab < 2 || dim < 2 || layers < 1 || heads < 1 || hidden < 1 || maxSeqLen < 1)
            throw new IllegalArgumentException("bad transformer shape: " + describe(vocab, dim, layers, heads, hidden, maxSeqLen));
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of heads " + heads);
        if ((dim / heads) % 2 != 0) throw new IllegalArgumentException("head size " + dim / heads + " must be even for RoPE");
    }

    private static String describe(int vocab, int dim, int layers, int heads, int hidden, int maxSeqLen) {
        return "vocab " + vocab + " dim " + dim + " layers " + layers + " heads " + heads + " hidden " + hidden + " maxSeqLen " + maxSeqLen;
    }

    /**
     * LLaMA's feed-forward width (Meta's {@code llama/model.py}, {@code FeedForward}): 2/3 of 4·dim,
     * so that the three SwiGLU matrices hold as many weights as a 4·dim two-matrix MLP (Shazeer
     * 2020, §2), rounded up to a multiple of {@link #HIDDEN_MULTIPLE}.
     */
    public static int defaultHidden(int dim) {
        int h = 2 * (4 * dim) / 3;
        return (h + HIDDEN_MULTIPLE - 1) / HIDDEN_MULTIPLE * HIDDEN_MULTIPLE;
    }

    /** A configuration with the default SwiGLU width. */
    public static TransformerConfig of(int vocab, int dim, int layers, int heads, int maxSeqLen, boolean tied) {
        return new TransformerConfig(vocab, dim, layers, heads, defaultHidden(dim), maxSeqLen, tied);
    }

    /**
     * About 1.07 M parameters for byte-level text (vocab 256): dim 128, 5 blocks, 4 heads of 32,
     * SwiGLU width 352, untied head, context 256 (1,070,464 parameters; see {@link #paramCount}).
     * A {@link TransformerLm} of it with maxBatch 8 holds about 157 MB, nearly all activations.
     */
    public static TransformerConfig bytes1M() {
        return of(256, 128, 5, 4, 256, false);
    }

    /**
     * About 19.2 M parameters for byte-level text: dim 512, 6 blocks, 8 heads of 64, SwiGLU width
     * 1376, untied head, context 256 (19,241,472 parameters). With maxBatch 8 a model holds about
     * 736 MB (154 MB of it values and gradients).
     */
    public static TransformerConfig bytes20M() {
        return of(256, 512, 6, 8, 256, false);
    }

    public int headDim() { return dim / heads; }

    /** The same shape with another context length (buffers and RoPE tables scale with it). */
    public TransformerConfig withMaxSeqLen(int n) {
        return new TransformerConfig(vocab, dim, layers, heads, hidden, n, tied);
    }

    /** The same shape with the head tied to the embedding or not. */
    public TransformerConfig withTied(boolean t) {
        return new TransformerConfig(vocab, dim, layers, heads, hidden, maxSeqLen, t);
    }

    /**
     * Trainable scalars: embedding vocab·dim; per block 4·dim² (attention) + 3·dim·hidden (SwiGLU)
     * + 2·dim (two norms); final norm dim; head vocab·dim unless tied.
     */
    public long paramCount() {
        long perLayer = 4L * dim * dim + 3L * dim * hidden + 2L * dim;
        return (long) vocab * dim + layers * perLayer + dim + (tied ? 0 : (long) vocab * dim);
    }
}
