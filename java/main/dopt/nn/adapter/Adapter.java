package dopt.nn.adapter;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;

/**
 * A low-rank update {@code W = W₀ + ΔW(θ)} around one frozen dense weight {@code W₀} (m×n, stored
 * [out × in] as every weight in dopt.nn), where only the small adapter matrices θ are trained.
 *
 * <p><b>How it meets the model: merge, run, restore.</b> The model that owns the weight is not
 * changed. Before each forward pass {@link #merge} writes {@code W₀ + ΔW} into the weight's value
 * buffer (the "merged" form Hu et al. 2021, §4.1, use for inference); the model then runs its own
 * forward and hand-written backward, leaving {@code G = ∂L/∂W} in the weight's gradient buffer;
 * {@link #backward} maps G to the adapter gradients by the chain rule (ΔW is linear in each adapter
 * matrix, so ∂L/∂θ = ⟨G, ∂ΔW/∂θ⟩ exactly, e.g. ∂L/∂B = s·G·Aᵀ for ΔW = s·B·A), and {@link #restore}
 * copies the frozen {@code W₀} back, bit for bit. The trainable {@link Param}s are the adapter
 * matrices only, so an optimizer over {@link #trainable()} never sees {@code W₀}.
 *
 * <p><b>Memory.</b> This design saves what LoRA saves in optimizer state and in trainable
 * parameters (the point of the experiment), not in weights: it keeps a copy of {@code W₀} (m·n
 * floats) next to the model's own value and gradient buffers, and the model still forms the full
 * gradient G. Extra compute per step is a few m×n×r products, small beside the model's
 * rows×m×n ones.
 */
public abstract sealed class Adapter permits LoraAdapter, LatentAdapter {
    protected final Param base;
    protected final int m, n, r;
    private final float[] frozen, delta;

    protected Adapter(Param base, int r) {
        if (base.shape().length != 2) throw new IllegalArgumentException(base.name() + ": an adapter needs a 2-D weight, got " + base);
        this.base = base;
        this.m = base.rows();
        this.n = base.cols();
        if (r < 1 || r > Math.min(m, n))
            throw new IllegalArgumentException(base.name() + ": rank " + r + " outside 1.." + Math.min(m, n) + " for a " + m + "x" + n + " weight");
        this.r = r;
        this.frozen = base.value().clone();
        this.delta = new float[m * n];
    }

    /** The wrapped weight (its value buffer holds W₀ except between {@link #merge} and {@link #restore}). */
    public Param base() { return base; }

    public int rank() { return r; }

    /** The frozen W₀ (live buffer: never written after construction). */
    public float[] frozen() { return frozen; }

    /** The adapter matrices the optimizer trains. */
    public abstract List<Param> trainable();

    /** The number of trained scalars: r·(m + n) for LoRA, r² for LoRA-XS and LoRA-SB. */
    public long trainableCount() {
        long c = 0;
        for (Param p : trainable()) c += p.size();
        return c;
    }

    /** Re-initialises the adapter matrices (the method's own initialisation). */
    public abstract void reset(Rng rng);

    /** Writes ΔW(θ) into {@code out} (m×n). */
    public abstract void delta(float[] out);

    /** Turns G = ∂L/∂W (the base weight's gradient buffer) into the gradients of {@link #trainable()}. */
    public abstract void backward();

    /** base.value = W₀ + ΔW. */
    public final void merge() {
        delta(delta);
        float[] w = base.value();
        for (int i = 0; i < w.length; i++) w[i] = frozen[i] + delta[i];
    }

    /** base.value = W₀ exactly. */
    public final void restore() {
        System.arraycopy(frozen, 0, base.value(), 0, frozen.length);
    }

    protected static void scale(float[] x, float s) {
        if (s == 1f) return;
        for (int i = 0; i < x.length; i++) x[i] *= s;
    }
}
