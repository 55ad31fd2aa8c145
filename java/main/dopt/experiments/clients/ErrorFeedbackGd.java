package dopt.experiments.clients;

import dopt.compress.Compressor;
import dopt.compress.Ef21;
import dopt.compress.ErrorFeedback;
import dopt.random.Rng;
import dopt.state.StateTree;
import java.util.function.Supplier;

/**
 * Distributed gradient descent over the simulated clients of a {@link ClientProblem}, each client
 * sending its compressed message through its own {@link ErrorFeedback}, the server averaging the
 * messages and every client stepping x ← x − γ·direction (EF21 and ‖EF21‖: Richtárik, Sokolov and
 * Fatkhullin 2021, Algorithm 1; Khirirat et al. 2024, arXiv:2410.16871, Section 4. EF14: Seide et
 * al. 2014). Constant step γ, as the papers' step-size sweeps use. EF21's estimates start at the
 * clients' gradients at x⁰ ({@link Ef21#start}), EF14's errors at zero.
 *
 * <p>A run stops early when x or the loss stops being finite; it then counts as diverged and its
 * final loss is +∞.
 *
 * <p>Why this is its own loop and not the engine's compressed mean on thread ranks (which was tried):
 * the engine averages as Σᵢ (1/n)·mᵢ and starts EF21 from (Σᵢ gᵢ)·(1/n), and {@code Optimizer.step}
 * adds d·(float)(−γ); this loop divides each message and gradient by n and subtracts (float)(γ·d).
 * For n = 10 clients that is a few ulps a round, which the quick run's 4 printed digits hide but
 * 2000 rounds of the published run do not (‖EF21‖ at γ = 1 on polynomial-far: 1.035 → 1.072), so
 * the published numbers pin this arithmetic.
 */
public final class ErrorFeedbackGd {
    private ErrorFeedbackGd() { }

    /**
     * One run: {@code curve[t]} is the clients' mean loss at x_t (t &lt; rounds; f(x_t) for full
     * local gradients, the mini-batch estimate otherwise; NaN after a divergence), then the final
     * f(x_rounds), test accuracy, and the bytes one client sent in all (EF21's dense first round included).
     */
    public record Result(double[] curve, double finalLoss, double testAccuracy, long bytesPerClient, boolean diverged) { }

    public static Result run(ClientProblem p, EfMethod method, Supplier<Compressor> compressor, double gamma, int rounds, long seed) {
        if (!(gamma > 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException("step size must be positive and finite: " + gamma);
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1: " + rounds);
        int n = p.clients(), d = p.dim();
        StateTree state = new StateTree();
        ErrorFeedback[] ef = new ErrorFeedback[n];
        for (int i = 0; i < n; i++) {
            ef[i] = method.create(compressor.get());
            ef[i].init(d, state, "clients/" + i + "/ef", "clients/" + i + "/server");
        }
        Rng rng = Rng.derive(seed, 0xEF);
        float[] x = new float[d], mean = new float[d], msg = new float[d], dir = new float[d];
        float[][] grads = new float[n][d];
        p.start(x);
        double[] curve = new double[rounds];
        java.util.Arrays.fill(curve, Double.NaN);
        long bytes = 0;
        boolean diverged = false;
        for (int t = 0; t < rounds && !diverged; t++) {
            double loss = 0;
            for (int i = 0; i < n; i++) loss += p.gradient(i, x, grads[i]);
            curve[t] = loss / n;
            if (!Double.isFinite(curve[t])) {
                diverged = true;
                break;
            }
            if (t == 0 && method != EfMethod.EF14) {
                startEf21(ef, grads, mean);
                bytes += n * Compressor.denseBytes(d);
            }
            java.util.Arrays.fill(mean, 0f);
            for (int i = 0; i < n; i++) {
                bytes += ef[i].encode(grads[i], msg, rng);
                for (int j = 0; j < d; j++) mean[j] += msg[j] / n;
            }
            // every client holds the server's estimate; all update it, the step uses the first
            for (int i = n - 1; i >= 0; i--) ef[i].decode(mean, dir);
            for (int j = 0; j < d; j++) {
                x[j] -= (float) (gamma * dir[j]);
                if (!Float.isFinite(x[j])) diverged = true;
            }
        }
        double fin = diverged ? Double.POSITIVE_INFINITY : p.loss(x);
        if (!Double.isFinite(fin)) {
            diverged = true;
            fin = Double.POSITIVE_INFINITY;
        }
        double acc = diverged ? Double.NaN : p.testAccuracy(x);
        return new Result(curve, fin, acc, bytes / n, diverged);
    }

    /** gᵢ⁰ = ∇fᵢ(x⁰), g⁰ = their mean: the uncompressed first round of EF21's algorithm box. */
    private static void startEf21(ErrorFeedback[] ef, float[][] grads, float[] mean) {
        int n = grads.length, d = mean.length;
        java.util.Arrays.fill(mean, 0f);
        for (float[] g : grads) for (int j = 0; j < d; j++) mean[j] += g[j] / n;
        for (int i = 0; i < n; i++) ((Ef21) ef[i]).start(grads[i], mean);
    }
}
