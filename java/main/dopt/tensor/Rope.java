package dopt.tensor;

/**
 * Rotary position embedding (Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary Position
 * Embedding", eq. 34): within each attention head, the pair (x₂ᵢ, x₂ᵢ₊₁) of the query or key at
 * position t is rotated by the angle t·θᵢ with θᵢ = base^(−2i/headDim), base = 10000. Pairs are
 * adjacent coordinates, as in Meta's LLaMA code ({@code precompute_freqs_cis} and
 * {@code apply_rotary_emb} view (2i, 2i+1) as one complex number; Touvron et al. 2023, §2.2), not
 * the split halves of the Hugging Face port.
 *
 * <p>The rotation is orthogonal, so the backward pass is the transpose: rotation by −t·θᵢ
 * ({@link #rotate} with {@code inverse = true}). The cos/sin tables are computed once, in double,
 * for every position below {@code maxSeqLen}.
 */
public final class Rope {
    /** LLaMA's {@code theta} (RoFormer §3.4.3 uses the same 10000 as the sinusoidal encoding). */
    public static final double BASE = 10000;

    private final int headDim, maxSeqLen, half;
    private final float[] cos, sin;   // [maxSeqLen × headDim/2]

    public Rope(int headDim, int maxSeqLen) {
        if (headDim < 2 || headDim % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head size: " + headDim);
        if (maxSeqLen < 1) throw new IllegalArgumentException("maxSeqLen must be >= 1: " + maxSeqLen);
        this.headDim = headDim;
        this.maxSeqLen = maxSeqLen;
        this.half = headDim / 2;
        cos = new float[maxSeqLen * half];
        sin = new float[maxSeqLen * half];
        for (int t = 0; t < maxSeqLen; t++) {
            for (int i = 0; i < half; i++) {
                double angle = t * Math.pow(BASE, -2.0 * i / headDim);
                cos[t * half + i] = (float) Math.cos(angle);
                sin[t * half + i] = (float) Math.sin(angle);
            }
        }
    }

    public int headDim() { return headDim; }

    public int maxSeqLen() { return maxSeqLen; }

    /**
     * Rotates, in place, {@code x[rows × heads·headDim]} whose row r holds position r mod
     * {@code seqLen} (batch rows of one sequence after another). {@code inverse} rotates by −θ,
     * which is the backward pass.
     */
    public void rotate(float[] x, int rows, int seqLen, int heads, boolean inverse) {
        if (seqLen > maxSeqLen) throw new IllegalArgumentException("seqLen " + seqLen + " > maxSeqLen " + maxSeqLen);
        int width = heads * headDim;
        float sign = inverse ? -1f : 1f;
        for (int r = 0; r < rows; r++) {
            int tab = (r % seqLen) * half;
            for (int h = 0; h < heads; h++) {
                int o = r * width + h * headDim;
                for (int i = 0; i < half; i++) {
                    float c = cos[tab + i], s = sign * sin[tab + i];
                    float a = x[o + 2 * i], b = x[o + 2 * i + 1];
                    x[o + 2 * i] = a * c - b * s;
                    x[o + 2 * i + 1] = a * s + b * c;
                }
            }
        }
    }
}
