package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Backend;
import dopt.tensor.Param;
import java.util.List;

/**
 * Adam's direction m̂ / (√v̂ + ε) with bias-corrected moments (Kingma and Ba 2015, Algorithm 1;
 * ε added outside the square root as in {@code torch.optim.Adam}). Its own step counter is part
 * of its state so that methods which restart the moments (FRUGAL, BAdam) can restart it too.
 *
 * <p>With a device {@link Backend} the element-wise step runs there ({@link Backend#adamDirection},
 * bit-identical to {@link AdamKernel}): each step uploads g, m, v and downloads the direction and the
 * moments, so the state tree (and with it every checkpoint) keeps holding the moments on the host.
 */
public final class ScaleByAdam implements GradientTransformation {

    @Override
    public String role() { return "adam"; }
    private final float beta1, beta2, eps;
    private float[][] mu, nu;
    private long[] count;
    private final Backend backend;
    private Backend.Buffer[] deviceG, deviceMu, deviceNu;

    public ScaleByAdam(double beta1, double beta2, double eps) {
        this(beta1, beta2, eps, null);
    }

    /** Running the step on {@code backend} when it is a device backend (null or the CPU: the Java loop). */
    public ScaleByAdam(double beta1, double beta2, double eps, Backend backend) {
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.backend = backend != null && backend.onDevice() ? backend : null;
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
        if (backend != null) {
            updateOnDevice(params, t);
            return;
        }
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad();
            AdamKernel.step(g, mu[i], nu[i], g, g.length, beta1, beta2, eps, t);
        }
    }

    private void updateOnDevice(List<Param> params, long t) {
        if (deviceG == null) {
            deviceG = new Backend.Buffer[params.size()];
            deviceMu = new Backend.Buffer[params.size()];
            deviceNu = new Backend.Buffer[params.size()];
            for (int i = 0; i < params.size(); i++) {
                int n = params.get(i).size();
                deviceG[i] = backend.allocate(n);
                deviceMu[i] = backend.allocate(n);
                deviceNu[i] = backend.allocate(n);
            }
        }
        Backend.Adam adam = new Backend.Adam(beta1, beta2, eps);
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad();
            backend.upload(g, deviceG[i]);
            backend.upload(mu[i], deviceMu[i]);
            backend.upload(nu[i], deviceNu[i]);
            backend.adamDirection(deviceG[i], deviceMu[i], deviceNu[i], deviceG[i], g.length, adam, t);
            backend.download(deviceG[i], g);
            backend.download(deviceMu[i], mu[i]);
            backend.download(deviceNu[i], nu[i]);
        }
    }

    @Override
    public List<float[]> preconditionerState() { return List.of(nu); }

    @Override
    public long stateBytes() {
        long b = 8;
        for (float[] m : mu) b += 8L * m.length;
        return b;
    }
}
