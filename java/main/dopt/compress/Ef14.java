package dopt.compress;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * Classic error feedback (Seide et al. 2014; analysed by Stich and Karimireddy 2019): the worker
 * compresses its gradient plus the error left over from before, p = e + g, sends C(p) and keeps
 * e ← p − C(p); the direction is the mean of the messages.
 */
public final class Ef14 implements ErrorFeedback {
    private final Compressor c;
    private float[] error, p;

    public Ef14(Compressor c) { this.c = c; }

    @Override
    public void init(int n, StateTree state, String rankPrefix, String sharedPrefix) {
        error = state.putFloats(rankPrefix + "/error", new float[n]);
        p = new float[n];
    }

    @Override
    public long encode(float[] grad, float[] message, Rng rng) {
        int n = error.length;
        for (int i = 0; i < n; i++) p[i] = error[i] + grad[i];
        long bytes = c.compress(p, message, n, rng);
        for (int i = 0; i < n; i++) error[i] = p[i] - message[i];
        return bytes;
    }

    @Override
    public void decode(float[] meanMessage, float[] direction) {
        System.arraycopy(meanMessage, 0, direction, 0, error.length);
    }
}
