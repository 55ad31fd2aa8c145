package dopt.optim;

import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * OASIS's diagonal preconditioning (Jahani, Rusakov, Shi, Richtárik, Mahoney and Takáč 2022,
 * "Doubly adaptive scaled algorithm for machine learning using second-order information",
 * Algorithm 1): a Hutchinson estimate of the Hessian diagonal from Rademacher vectors z,
 *
 * <pre>
 *   v_k = z ⊙ ∇²f(w_k) z,      D_k = β₂ D_{k−1} + (1 − β₂) v_k      (D_1 = v_1, no bias towards 0)
 *   D̂_k = max(|D_k|, α),       direction g / D̂_k
 * </pre>
 *
 * The truncation α keeps the step bounded where the curvature estimate is near zero or negative
 * (non-convex losses). The paper's adaptive learning rate is not part of this transformation: the
 * local methods with scaling (Chezhegov et al. 2024, "Local methods with adaptive scaling") use
 * OASIS as a generic diagonal scaling D_t under a fixed step, which a following
 * {@link ScaleByLearningRate} supplies. The diagonal is named {@code nu}, like Adam's and
 * RMSProp's second moments, so the same preconditioner averaging applies to it. The Rademacher
 * draws come from this transformation's own generator, whose state is in the tree.
 */
public final class ScaleByOasis implements GradientTransformation {

    @Override
    public String role() { return "oasis"; }
    private final float beta2, alpha;
    private final HessianVectorOracle hessian;
    private final long seed;
    private float[][] nu, z, hz;
    private long[] rngState;
    private Rng rng;

    public ScaleByOasis(double beta2, double alpha, HessianVectorOracle hessian, long seed) {
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("OASIS beta2 must be in [0, 1), got " + beta2);
        if (!(alpha > 0)) throw new IllegalArgumentException("OASIS truncation alpha must be positive, got " + alpha);
        this.beta2 = (float) beta2;
        this.alpha = (float) alpha;
        this.hessian = hessian;
        this.seed = seed;
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        int n = params.size();
        nu = new float[n][];
        z = new float[n][];
        hz = new float[n][];
        for (int i = 0; i < n; i++) {
            Param p = params.get(i);
            nu[i] = state.putFloats(prefix + "/nu/" + p.name(), new float[p.size()], p.shape());
            z[i] = new float[p.size()];
            hz[i] = new float[p.size()];
        }
        rng = new Rng(seed);
        rngState = state.putLongs(prefix + "/rng", rng.state()); // live: a restore rewinds the generator itself
    }

    @Override
    public void update(List<Param> params, long step) {
        for (float[] zi : z)
            for (int j = 0; j < zi.length; j++) zi[j] = (rng.nextLong() & 1L) == 0 ? -1f : 1f;
        hessian.apply(z, hz);
        float keep = step == 1 ? 0f : beta2, mix = 1 - keep;
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad(), d = nu[i], zi = z[i], h = hz[i];
            for (int j = 0; j < g.length; j++) {
                d[j] = keep * d[j] + mix * zi[j] * h[j];
                g[j] /= Math.max(Math.abs(d[j]), alpha);
            }
        }
    }

    @Override
    public List<float[]> preconditionerState() { return List.of(nu); }

    @Override
    public long stateBytes() {
        long b = 8L * rngState.length;
        for (float[] v : nu) b += 4L * v.length;
        return b;
    }
}
