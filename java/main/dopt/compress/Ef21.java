package dopt.compress;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * EF21 (Richtárik, Sokolov and Fatkhullin 2021, Algorithm 1): each worker keeps an estimate gᵢ of
 * its gradient and sends only the compressed change cᵢ = C(∇fᵢ − gᵢ), then gᵢ ← gᵢ + cᵢ; every
 * rank keeps g = mean gᵢ by adding the mean of the messages. The direction is g, or g/‖g‖ for
 * normalized EF21 ("‖EF21‖": x ← x − γ g/‖g‖; Khirirat, Sadiev, Riabinin, Gorbunov and Richtárik
 * 2024, "Error Feedback under (L0,L1)-Smoothness: Normalization and Momentum", arXiv:2410.16871,
 * Section 4), which tolerates larger steps. The estimates start at zero unless {@link #start}
 * sets them to the gradients at x⁰, as the algorithm boxes do.
 */
public final class Ef21 implements ErrorFeedback {
    private final Compressor c;
    private final boolean normalized;
    private float[] mine, global, diff;

    public Ef21(Compressor c, boolean normalized) {
        this.c = c;
        this.normalized = normalized;
    }

    @Override
    public void init(int n, StateTree state, String rankPrefix, String sharedPrefix) {
        mine = state.putFloats(rankPrefix + "/worker_estimate", new float[n]);
        global = state.putFloats(sharedPrefix + "/mean_estimate", new float[n]);
        diff = new float[n];
    }

    /**
     * The start of EF21's algorithm box, gᵢ⁰ = ∇fᵢ(x⁰) and g⁰ = mean gᵢ⁰: this worker's estimate
     * becomes {@code ownGradient} and the shared one {@code meanGradient} (one uncompressed round
     * before the compressed ones). Call after {@link #init}.
     */
    public void start(float[] ownGradient, float[] meanGradient) {
        if (mine == null) throw new IllegalStateException("start before init");
        System.arraycopy(ownGradient, 0, mine, 0, mine.length);
        System.arraycopy(meanGradient, 0, global, 0, global.length);
    }

    @Override
    public long encode(float[] grad, float[] message, Rng rng) {
        int n = mine.length;
        for (int i = 0; i < n; i++) diff[i] = grad[i] - mine[i];
        long bytes = c.compress(diff, message, n, rng);
        for (int i = 0; i < n; i++) mine[i] += message[i];
        return bytes;
    }

    @Override
    public void decode(float[] meanMessage, float[] direction) {
        int n = global.length;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            global[i] += meanMessage[i];
            sq += (double) global[i] * global[i];
        }
        float scale = normalized ? (sq > 0 ? (float) (1 / Math.sqrt(sq)) : 0f) : 1f;
        for (int i = 0; i < n; i++) direction[i] = global[i] * scale;
    }
}
