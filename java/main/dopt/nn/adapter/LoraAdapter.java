package dopt.nn.adapter;

import dopt.random.Rng;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.Arrays;
import java.util.List;

/**
 * LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", eq. 3 and §4.1):
 * {@code W = W₀ + (α/r)·B·A} with B (m×r) and A (r×n) both trained, B = 0 at initialisation so
 * that training starts from the pre-trained model exactly. A is drawn as PEFT draws it,
 * Kaiming-uniform with a = √5, i.e. U(−1/√n, 1/√n) (the paper itself says "random Gaussian";
 * only the scale differs, and with Adam the scale is what α/r and the learning rate set anyway).
 *
 * <p>Gradients (G = ∂L/∂W, s = α/r): ∂L/∂B = s·G·Aᵀ, ∂L/∂A = s·Bᵀ·G. Trainable count r·(m + n).
 */
public final class LoraAdapter extends Adapter {
    private final float s;
    private final Param a, b;

    public LoraAdapter(Param base, int r, double alpha, Rng rng) {
        super(base, r);
        if (!(alpha > 0) || !Double.isFinite(alpha)) throw new IllegalArgumentException("LoRA alpha must be positive and finite: " + alpha);
        this.s = (float) (alpha / r);
        String stem = stem(base.name());
        this.a = new Param(stem + ".lora_A.weight", Param.Role.MATRIX, r, n);
        this.b = new Param(stem + ".lora_B.weight", Param.Role.MATRIX, m, r);
        reset(rng);
    }

    /** "layers.0.attention.wq.weight" → "layers.0.attention.wq" (PEFT's naming of the adapter pair). */
    static String stem(String name) {
        return name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
    }

    public float scaling() { return s; }
    public Param a() { return a; }
    public Param b() { return b; }

    @Override public List<Param> trainable() { return List.of(a, b); }

    @Override
    public void reset(Rng rng) {
        float bound = (float) (1 / Math.sqrt(n));
        float[] av = a.value();
        for (int i = 0; i < av.length; i++) av[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        Arrays.fill(b.value(), 0f);
    }

    @Override
    public void delta(float[] out) {
        Dense.matmul(b.value(), a.value(), out, m, r, n);
        scale(out, s);
    }

    @Override
    public void backward() {
        float[] g = base.grad();
        Dense.matmulBT(g, a.value(), b.grad(), m, n, r);   // G·Aᵀ
        Dense.matmulAT(b.value(), g, a.grad(), r, m, n);   // Bᵀ·G
        scale(b.grad(), s);
        scale(a.grad(), s);
    }
}
