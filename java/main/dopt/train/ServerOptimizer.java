package dopt.train;

import dopt.job.Job;
import dopt.state.StateTree;

/**
 * The server's step in a federated round (Reddi et al. 2021, "Adaptive Federated Optimization",
 * Algorithm 2): the mean client delta Δ = Σ wᵢ(xᵢ − x) / Σ wᵢ is a pseudo-gradient −Δ, and
 * <ul>
 *   <li>sgd: m ← μ·m + Δ, x ← x + η·m (μ = 0: FedAvg, x ← x + η·Δ; μ > 0: FedAvgM, Hsu et al. 2019);</li>
 *   <li>adam (FedAdam): m ← β₁m + (1 − β₁)Δ, v ← β₂v + (1 − β₂)Δ², x ← x + η·m / (√v + τ), without
 *       bias correction, as in the paper's Algorithm 2.</li>
 * </ul>
 * Every rank applies it to the same Δ, so the global models stay identical. Its moments live in the
 * state tree under {@code server/}.
 */
final class ServerOptimizer {
    private final Job.ServerOptimizerName kind;
    private final float lr, momentum, beta1, beta2, tau;
    private final float[] m, v;

    ServerOptimizer(Job.Federated f, int n, StateTree state) {
        this.kind = f.serverOptimizer;
        this.lr = (float) f.serverLr;
        this.momentum = (float) f.momentum;
        this.beta1 = (float) f.beta1;
        this.beta2 = (float) f.beta2;
        this.tau = (float) f.tau;
        boolean adam = kind == Job.ServerOptimizerName.ADAM;
        this.m = adam || momentum > 0 ? state.putFloats("server/m", new float[n], n) : null;
        this.v = adam ? state.putFloats("server/v", new float[n], n) : null;
    }

    /** x ← x + step(Δ) over {@code x[0, n)} with Δ in {@code delta[0, n)}. */
    void apply(float[] x, float[] delta, int n) {
        if (kind == Job.ServerOptimizerName.ADAM) {
            for (int k = 0; k < n; k++) {
                float d = delta[k];
                m[k] = beta1 * m[k] + (1 - beta1) * d;
                v[k] = beta2 * v[k] + (1 - beta2) * d * d;
                x[k] += lr * m[k] / ((float) Math.sqrt(v[k]) + tau);
            }
        } else if (m != null) {
            for (int k = 0; k < n; k++) {
                m[k] = momentum * m[k] + delta[k];
                x[k] += lr * m[k];
            }
        } else {
            for (int k = 0; k < n; k++) x[k] += lr * delta[k];
        }
    }

    /** Bytes of the server's moments. */
    long stateBytes() { return 4L * ((m == null ? 0 : m.length) + (v == null ? 0 : v.length)); }

    String describe() {
        return kind == Job.ServerOptimizerName.ADAM
                ? "server FedAdam (lr " + lr + ", beta1 " + beta1 + ", beta2 " + beta2 + ", tau " + tau + ")"
                : "server SGD (lr " + lr + (m != null ? ", momentum " + momentum : "") + ")";
    }
}
