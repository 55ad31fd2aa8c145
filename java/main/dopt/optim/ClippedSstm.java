package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * clipped-SSTM, the clipped stochastic similar-triangles method (Gorbunov, Danilova and Gasnikov
 * 2020, "Stochastic optimization with heavy-tailed noise via accelerated gradient clipping"; the
 * step sizes with Hölder exponent ν as in methods.md B3 and the authors' {@code optimizers.py},
 * ClippedStochasticMethods/clipped-SSTM): with A₀ = 0 and y₀ = z₀ = x₀, for k = 0, 1, …
 * <pre>
 *   α_{k+1} = (k+1)^{2ν/(1+ν)} / (2aL),   A_{k+1} = A_k + α_{k+1},   λ_{k+1} = B / α_{k+1}
 *   x_{k+1} = (A_k y_k + α_{k+1} z_k) / A_{k+1}
 *   z_{k+1} = z_k − α_{k+1} · clip(∇f(x_{k+1}, ξ_k), λ_{k+1})
 *   y_{k+1} = (A_k y_k + α_{k+1} z_{k+1}) / A_{k+1}
 * </pre>
 * The gradient is taken at x, so the <em>parameters hold x_{k+1}</em>, the point where the next
 * gradient is evaluated, and {@link #update} returns x_{k+2} − x_{k+1}; the method's output (its
 * estimate of the minimiser, the point its bounds are about) is y, read with {@link #output}. Since
 * A₀ = 0 the first query point x₁ equals x₀, so the first gradient is the one at the initial
 * parameters and is used (the authors' code discards the first call's gradient instead).
 *
 * <p>Checked against the authors' code (the papers' algorithm boxes could not be read here):
 * α_{k+1}, A_{k+1}, λ_{k+1} = B/α_{k+1}, x, z and y are those of {@code clipped_SSTM.step} in
 * github.com/ClippedStochasticMethods/clipped-SSTM {@code optimizers.py} (Gorbunov, Danilova,
 * Shibaev, Dvurechensky, Gasnikov 2021, arXiv:2106.05958), which computes
 * {@code alpha_k_1 = (k + 1)^(2ν/(1+ν)) / (2aL)} with k counted from 0, A₀ = 0, {@code a = 1/lr},
 * without its optional {@code a_k_ratio_upper_bound} cap (off by default). The NeurIPS 2020 code
 * (github.com/eduardgorbunov/accelerated_clipping {@code algorithms.py}, {@code clipped_sstm},
 * arXiv:2005.10785) has the Lipschitz case with {@code alpha = (it + 2)/(2aL)}, it from 0: one index
 * later than ours at ν = 1, the same as running ours with a scaled by (k+1)/(k+2) (a factor 1/2 at
 * the first step, tending to 1), which a grid over a largely absorbs.
 *
 * <p>State in the tree under the prefix: {@code y/<param>}, {@code z/<param>}, {@code count} (k,
 * the steps taken) and {@code A} (A_k as the raw bits of a double, so that a resumed run is
 * bit-exact). No learning-rate schedule applies: a and L set the steps.
 */
public final class ClippedSstm implements GradientTransformation {

    @Override
    public String role() { return "clipped_sstm"; }
    private final double a, lipschitz, nu, b;
    private final ClipMode mode;
    private float[][] y, z;
    private long[] count, aBits;

    public ClippedSstm(double a, double lipschitz, double nu, double b, ClipMode mode) {
        if (!(a > 0) || Double.isInfinite(a)) throw new IllegalArgumentException("clipped-SSTM a must be positive and finite: " + a);
        if (!(lipschitz > 0) || Double.isInfinite(lipschitz)) throw new IllegalArgumentException("clipped-SSTM L must be positive and finite: " + lipschitz);
        if (!(nu >= 0 && nu <= 1)) throw new IllegalArgumentException("clipped-SSTM nu must be in [0, 1]: " + nu);
        if (!(b > 0) || Double.isInfinite(b)) throw new IllegalArgumentException("clipped-SSTM B must be positive and finite: " + b);
        this.a = a;
        this.lipschitz = lipschitz;
        this.nu = nu;
        this.b = b;
        this.mode = mode;
    }

    /** α_k = k^{2ν/(1+ν)} / (2aL) for k ≥ 1. */
    public double alpha(long k) { return Math.pow(k, 2 * nu / (1 + nu)) / (2 * a * lipschitz); }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        y = new float[params.size()][];
        z = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            y[i] = state.putFloats(prefix + "/y/" + p.name(), new float[p.size()], p.shape());
            z[i] = state.putFloats(prefix + "/z/" + p.name(), new float[p.size()], p.shape());
        }
        count = state.putLongs(prefix + "/count", 0L);
        aBits = state.putLongs(prefix + "/A", Double.doubleToRawLongBits(0.0));
    }

    @Override
    public void update(List<Param> params, long step) {
        long k = count[0];
        if (k == 0) {
            // y₀ = z₀ = x₀ = x₁: taken now rather than at init so parameters set after init count
            for (int i = 0; i < params.size(); i++) {
                float[] x = params.get(i).value();
                System.arraycopy(x, 0, y[i], 0, x.length);
                System.arraycopy(x, 0, z[i], 0, x.length);
            }
        }
        double aK = Double.longBitsToDouble(aBits[0]);
        double alpha = alpha(k + 1), aK1 = aK + alpha;
        mode.clip(params, b / alpha);
        double alphaNext = alpha(k + 2), aK2 = aK1 + alphaNext;
        double wy = aK / aK1, wz = alpha / aK1, wyNext = aK1 / aK2, wzNext = alphaNext / aK2;
        for (int i = 0; i < params.size(); i++) {
            float[] x = params.get(i).value(), g = params.get(i).grad(), yi = y[i], zi = z[i];
            for (int j = 0; j < g.length; j++) {
                double zj = zi[j] - alpha * g[j];
                double yj = wy * yi[j] + wz * zj;
                zi[j] = (float) zj;
                yi[j] = (float) yj;
                g[j] = (float) (wyNext * yj + wzNext * zj - x[j]);
            }
        }
        count[0] = k + 1;
        aBits[0] = Double.doubleToRawLongBits(aK1);
    }

    /** The method's output y_k for parameter {@code i} (live state; copy it to keep it). */
    public float[] output(int i) { return y[i]; }

    /** A_k after the steps taken so far. */
    public double weightSum() { return Double.longBitsToDouble(aBits[0]); }

    @Override
    public long stateBytes() {
        long s = 16;
        for (float[] v : y) s += 8L * v.length;
        return s;
    }
}
