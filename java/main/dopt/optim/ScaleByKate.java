package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * KATE (Choudhury et al. 2024, "Remove that square root: a new efficient scale-invariant version
 * of AdaGrad"), per coordinate with b₀ = m₀ = 0:
 * <pre>
 *   b² ← b² + g²,   m² ← m² + η g² + g²/(b² + ε),   direction = m · g / (b² + ε)
 * </pre>
 * then scaled by β (the learning rate). With ε = 0, 0/0 is taken as 0 (a coordinate that has only
 * seen zero gradients does not move). The authors' code adds a large ε (1e-3…1e-4) for networks.
 * Because b² is a sum of squares and m ~ g/b is dimensionless, rescaling a feature by s rescales
 * its gradient by s and its direction by 1/s: the iterates of a GLM are invariant (tested).
 */
public final class ScaleByKate implements GradientTransformation {

    @Override
    public String role() { return "kate"; }
    private final float eta, eps;
    private final boolean etaFromFirstGradient;
    private float[][] b2, m2, etas;

    public ScaleByKate(double eta, double eps) {
        if (!(eta >= 0)) throw new IllegalArgumentException("KATE's eta must be >= 0: " + eta);
        this.eta = (float) eta;
        this.eps = (float) eps;
        this.etaFromFirstGradient = false;
    }

    /**
     * With η per coordinate set to 1/g₁² from the first gradient (0 where g₁ = 0), as in the
     * authors' logistic-regression runs: η then scales like 1/g², which keeps the method scale
     * invariant while taming the first steps.
     */
    public static ScaleByKate withEtaFromFirstGradient(double eps) {
        return new ScaleByKate(eps);
    }

    private ScaleByKate(double eps) {
        this.eta = 0;
        this.eps = (float) eps;
        this.etaFromFirstGradient = true;
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        b2 = new float[params.size()][];
        m2 = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            b2[i] = state.putFloats(prefix + "/b2/" + p.name(), new float[p.size()], p.shape());
            m2[i] = state.putFloats(prefix + "/m2/" + p.name(), new float[p.size()], p.shape());
        }
        if (etaFromFirstGradient) {
            etas = new float[params.size()][];
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                etas[i] = state.putFloats(prefix + "/eta/" + p.name(), new float[p.size()], p.shape());
            }
            first = state.putLongs(prefix + "/eta_set", 0L);
        }
    }

    private long[] first;

    @Override
    public void update(List<Param> params, long step) {
        if (etaFromFirstGradient && first[0] == 0) {
            for (int i = 0; i < params.size(); i++) {
                float[] g = params.get(i).grad(), e = etas[i];
                for (int j = 0; j < g.length; j++) e[j] = g[j] == 0f ? 0f : 1f / (g[j] * g[j]);
            }
            first[0] = 1;
        }
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad();
            step(g, b2[i], m2[i], etaFromFirstGradient ? etas[i] : null, eta, eps, g.length);
        }
    }

    /**
     * KATE's direction over g[0, n) in place, accumulators b and m updated; η per coordinate from
     * {@code etas} unless it is null, else {@code eta}. Public for the CPU backend's fused step.
     */
    public static void step(float[] g, float[] b, float[] m, float[] etas, float eta, float eps, int n) {
        for (int j = 0; j < n; j++) {
            float gj = g[j], g2 = gj * gj;
            float bj = b[j] + g2;
            b[j] = bj;
            float denom = bj + eps;
            float ratio = denom == 0f ? 0f : g2 / denom;
            float mj = m[j] + (etas == null ? eta : etas[j]) * g2 + ratio;
            m[j] = mj;
            g[j] = denom == 0f ? 0f : (float) Math.sqrt(mj) * gj / denom;
        }
    }

    @Override
    public long stateBytes() {
        long s = 0;
        for (float[] b : b2) s += 8L * b.length;
        return s;
    }
}
