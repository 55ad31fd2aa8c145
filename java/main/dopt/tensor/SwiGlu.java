package dopt.tensor;

/**
 * The SwiGLU gate of Shazeer 2020 ("GLU Variants Improve Transformer", eq. 5 with β = 1):
 * {@code out = SiLU(a) ⊙ b}, where a = x·W₁ᵀ and b = x·W₃ᵀ are the two branches of the
 * feed-forward block (names as in Meta's LLaMA code, {@code w2(silu(w1(x)) * w3(x))}; Touvron et
 * al. 2023, §2.2). SiLU(a) = a·σ(a) (Elfwing et al. 2018; Ramachandran et al. 2017 call it Swish).
 * Elementwise over the first {@code len} entries of flat arrays; nothing is allocated.
 */
public final class SwiGlu {
    private SwiGlu() { }

    /** σ(x) = 1 / (1 + e^−x), computed in double so that large |x| saturate cleanly to 0 or 1. */
    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    /** out = SiLU(a) ⊙ b. */
    public static void forward(float[] a, float[] b, float[] out, int len) {
        for (int i = 0; i < len; i++) {
            float x = a[i];
            out[i] = x * sigmoid(x) * b[i];
        }
    }

    /**
     * Backward of {@link #forward}: da = dOut ⊙ b ⊙ SiLU'(a) with
     * SiLU'(a) = σ(a)(1 + a(1 − σ(a))), and db = dOut ⊙ SiLU(a). Both outputs are overwritten;
     * σ is recomputed here rather than stored, trading one exp per entry for a hidden-sized
     * buffer per layer.
     */
    public static void backward(float[] a, float[] b, float[] dOut, float[] da, float[] db, int len) {
        for (int i = 0; i < len; i++) {
            float x = a[i], s = sigmoid(x), g = dOut[i];
            da[i] = g * b[i] * s * (1 + x * (1 - s));
            db[i] = g * x * s;
        }
    }
}
