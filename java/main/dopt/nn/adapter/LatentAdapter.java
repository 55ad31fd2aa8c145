package dopt.nn.adapter;

import dopt.random.Rng;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.List;

/**
 * The LoRA-XS architecture {@code W = W₀ + s·B·R·A}: B (m×r) and A (r×n) fixed, only the r×r
 * "latent" matrix R trained, so the trainable count is r² whatever the weight's shape (Bałazy et
 * al. 2024, "LoRA-XS: Low-Rank Adaptation with Extremely Small Number of Parameters", §3). The two
 * methods differ in the initialisation only:
 *
 * <ul>
 * <li>{@link #loraXs LoRA-XS}: from the truncated SVD of the pre-trained weight,
 *     {@code W₀ ≈ U_r S_r V_rᵀ}: B = U_r, A = S_r·V_rᵀ, R ~ N(0, σ²) with σ = 1e-5 (the authors'
 *     {@code find_and_initialize}, which puts S_r on the input side and draws R with std 1e-5).</li>
 * <li>{@link #loraSb LoRA-SB}: from the truncated SVD of an estimate of the first full fine-tuning
 *     update, {@code ΔW ≈ U_r S_r V_rᵀ} (see {@link FirstStepEstimate}): B = U_r, R = S_r, A = V_rᵀ,
 *     s = 1, and W₀ not corrected, so training starts from {@code W₀ + U_r S_r V_rᵀ}, the best
 *     rank-r approximation of that first step (Ponkshe et al. 2024, "Initialization using update
 *     approximation is a silver bullet for extreme efficient low-rank fine-tuning", §3–4, Theorem on
 *     the optimal initialisation; authors' {@code find_and_initialize_grad}).</li>
 * </ul>
 *
 * <p>Gradient (G = ∂L/∂W): ∂L/∂R = s·Bᵀ·G·Aᵀ, formed as Bᵀ·(G·Aᵀ) to stay at m·n·r work.
 */
public final class LatentAdapter extends Adapter {
    /** LoRA-XS's standard deviation of the initial R. */
    public static final double XS_INIT_STD = 1e-5;

    private final float s;
    private final float[] bFixed, aFixed, rInit, br, ga;
    private final double rStd;
    private final Param latent;

    private LatentAdapter(Param base, int r, float[] bFixed, float[] aFixed, float[] rInit, double rStd, float s, Rng rng) {
        super(base, r);
        this.bFixed = bFixed;
        this.aFixed = aFixed;
        this.rInit = rInit;
        this.rStd = rStd;
        this.s = s;
        this.latent = new Param(LoraAdapter.stem(base.name()) + ".lora_R.weight", Param.Role.MATRIX, r, r);
        this.br = new float[m * r];
        this.ga = new float[m * r];
        reset(rng);
    }

    /** LoRA-XS around {@code base} (its current value is W₀), with scaling {@code s}. */
    public static LatentAdapter loraXs(Param base, int r, double s, Rng rng) {
        TruncatedSvd svd = TruncatedSvd.of(base.value(), base.rows(), base.cols(), r);
        float[] a = svd.vt().clone();
        for (int c = 0; c < r; c++)
            for (int j = 0; j < svd.n(); j++) a[c * svd.n() + j] *= svd.s()[c];
        return new LatentAdapter(base, r, svd.u(), a, null, XS_INIT_STD, checkScale(s), rng);
    }

    /** LoRA-SB around {@code base} from the estimated first update {@code deltaW} (m×n). */
    public static LatentAdapter loraSb(Param base, int r, float[] deltaW) {
        if (deltaW.length != base.size()) throw new IllegalArgumentException(base.name() + ": update has " + deltaW.length + " values, the weight " + base.size());
        TruncatedSvd svd = TruncatedSvd.of(deltaW, base.rows(), base.cols(), r);
        float[] rInit = new float[r * r];
        for (int c = 0; c < r; c++) rInit[c * r + c] = svd.s()[c];
        return new LatentAdapter(base, r, svd.u(), svd.vt(), rInit, 0, 1f, null);
    }

    private static float checkScale(double s) {
        if (!(s > 0) || !Double.isFinite(s)) throw new IllegalArgumentException("scaling must be positive and finite: " + s);
        return (float) s;
    }

    public Param latent() { return latent; }
    /** The fixed B (m×r, live). */
    public float[] b() { return bFixed; }
    /** The fixed A (r×n, live). */
    public float[] a() { return aFixed; }

    @Override public List<Param> trainable() { return List.of(latent); }

    /** LoRA-SB: R = S_r again (deterministic, {@code rng} unused); LoRA-XS: R ~ N(0, σ²) from {@code rng}. */
    @Override
    public void reset(Rng rng) {
        float[] v = latent.value();
        if (rInit != null) {
            System.arraycopy(rInit, 0, v, 0, v.length);
        } else {
            for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * rStd);
        }
    }

    @Override
    public void delta(float[] out) {
        Dense.matmul(bFixed, latent.value(), br, m, r, r);
        Dense.matmul(br, aFixed, out, m, r, n);
        scale(out, s);
    }

    @Override
    public void backward() {
        Dense.matmulBT(base.grad(), aFixed, ga, m, n, r);       // G·Aᵀ
        Dense.matmulAT(bFixed, ga, latent.grad(), r, m, r);     // Bᵀ·(G·Aᵀ)
        scale(latent.grad(), s);
    }
}
