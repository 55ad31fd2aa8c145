package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.List;

/**
 * Adam's direction m̂ / (√v̂ + ε) with bias-corrected moments (Kingma and Ba 2015, Algorithm 1;
 * ε added outside the square root as in {@code torch.optim.Adam}). Its own step counter is part
 * of its state so that methods which restart the moments (FRUGAL, BAdam) can restart it too.
 */
public final class ScaleByAdam implements GradientTransformation {
    private final float beta1, beta2, eps;
    private float[][] mu, nu;
    private long[] count;

    public ScaleByAdam(double beta1, double beta2, double eps) {
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        mu = new float[params.size()][];
        nu = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            mu[i] = state.putFloats(prefix + "/mu/" + p.name(), new float[p.size()], p.shape());
            nu[i] = state.putFloats(prefix + "/nu/" + p.name(), new float[p.size()], p.shape());
        }
        count = state.putLongs(prefix + "/count", 0L);
    }

    @Override
    public void update(List<Param> params, long step) {
        long t = ++count[0];
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad();
            AdamKernel.step(g, mu[i], nu[i], g, g.length, beta1, beta2, eps, t);
        }
    }

    @Override
    public long stateBytes() {
        long b = 8;
        for (float[] m : mu) b += 8L * m.length;
        return b;
    }
}
