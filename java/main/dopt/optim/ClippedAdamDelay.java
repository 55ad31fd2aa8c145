package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * Clipped Adam with delay, as in the fine-tuning code of Chezhegov et al. 2024: each tensor's
 * gradient is clipped to norm λ on its own, then
 * <pre>
 *   m ← β₁m + (1−β₁) g_clip,   v ← β₂v + (1−β₂)·η·(previous g_clip)²,   direction = m / (√v + ε)
 * </pre>
 * with v₀ = 1e-5 and no bias correction; the second moment lags one step behind (delay), so the
 * current, possibly heavy-tailed gradient never shrinks its own step.
 */
public final class ClippedAdamDelay implements GradientTransformation {

    @Override
    public String role() { return "clipped_adam"; }
    private final float beta1, beta2, eps, eta, lambda, v0;
    private float[][] mu, nu, prev;

    public ClippedAdamDelay(double lambda, double beta1, double beta2, double eps, double eta, double v0) {
        this.lambda = (float) lambda;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.eta = (float) eta;
        this.v0 = (float) v0;
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        mu = new float[params.size()][];
        nu = new float[params.size()][];
        prev = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            mu[i] = state.putFloats(prefix + "/mu/" + p.name(), new float[p.size()], p.shape());
            nu[i] = state.putFloats(prefix + "/nu/" + p.name(), new float[p.size()], p.shape());
            java.util.Arrays.fill(nu[i], v0);
            prev[i] = state.putFloats(prefix + "/prev/" + p.name(), new float[p.size()], p.shape());
        }
    }

    @Override
    public void update(List<Param> params, long step) {
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad(), m = mu[i], v = nu[i], pg = prev[i];
            double sq = 0;
            for (float x : g) sq += (double) x * x;
            float c = sq > (double) lambda * lambda ? (float) (lambda / Math.sqrt(sq)) : 1f;
            for (int j = 0; j < g.length; j++) {
                float gc = c * g[j];
                m[j] = beta1 * m[j] + (1 - beta1) * gc;
                v[j] = beta2 * v[j] + (1 - beta2) * eta * pg[j] * pg[j];
                pg[j] = gc;
                g[j] = m[j] / ((float) Math.sqrt(v[j]) + eps);
            }
        }
    }

    @Override
    public List<float[]> preconditionerState() { return List.of(nu); }

    @Override
    public long stateBytes() {
        long s = 0;
        for (float[] m : mu) s += 12L * m.length;
        return s;
    }
}
