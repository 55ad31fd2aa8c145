package dopt.optim;

import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Sign;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntBinaryOperator;

/**
 * Adam in a low-rank subspace of each matrix gradient, plus an optional state-free rule on the
 * rest: the common core of GaLore and FRUGAL. For a matrix parameter with gradient g and subspace
 * basis P (see {@link Projector}):
 * <pre>
 *   low = Pᵀg;  direction = scale · P·adam(low)  +  freeScale · free(g − P·low)
 * </pre>
 * GaLore (Zhao et al. 2024) has no free part and keeps the moments when the basis is refreshed
 * (its public code's behaviour); FRUGAL (Zmushko et al. 2024, Algorithm 1 and the authors' code)
 * adds signSGD or SGD on the residual and restarts Adam's moments and step counter at every
 * refresh. Either may instead {@link Moments#PROJECT project} the moments into the new basis. It takes the matrices of a {@link Partition}; the other parameters (embeddings, norms,
 * the head, biases) get full-state Adam there, as in both papers. Bases are refreshed every {@code updateGap}
 * steps, starting with the first. SVD and QR at a refresh allocate; the per-step path does not.
 */
public final class ProjectedAdam implements GradientTransformation {

    @Override
    public String role() { return "projected"; }

    /** The rule applied to the residual g − P·Pᵀg. */
    public enum FreeRule { NONE, SIGN, SGD }

    /**
     * What Adam's moments do when the basis is refreshed: restart with the step counter (FRUGAL's
     * default), stay as they are although they are coordinates in the old basis (GaLore's public
     * code; the result then depends on the signs the SVD gives the new basis's columns), or are
     * carried into the new basis ({@link Projector#transport}; the counter continues).
     */
    public enum Moments { RESET, KEEP, PROJECT }

    private final IntBinaryOperator rankFor;
    private final Projector.Kind kind;
    private final int updateGap;
    private final Moments moments;
    private final float scale, freeScale, beta1, beta2, eps;
    private final FreeRule free;
    private final long seed;

    private final List<Param> split = new ArrayList<>();
    private Projector[] projectors;
    private float[][] mu, nu;
    private float[] low, adamLow, back, backFull;
    private long[] step, count;
    private Rng rng;
    private long stateBytes;

    public ProjectedAdam(IntBinaryOperator rankFor, Projector.Kind kind, int updateGap, Moments moments, double scale,
                         FreeRule free, double freeScale, double beta1, double beta2, double eps, long seed) {
        if (updateGap < 1) throw new IllegalArgumentException("update gap must be >= 1: " + updateGap);
        this.rankFor = rankFor;
        this.kind = kind;
        this.updateGap = updateGap;
        this.moments = moments;
        this.scale = (float) scale;
        this.free = free;
        this.freeScale = (float) freeScale;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.seed = seed;
    }

    /**
     * FRUGAL with a projector of rank round(ρ·min(m, n)), state-full Adam and the given state-free
     * rule whose step is {@code freeScale} times the state-full one (lr_free / lr).
     */
    public static ProjectedAdam frugal(double rho, Projector.Kind kind, int updateGap, FreeRule free, double freeScale,
                                       double beta1, double beta2, double eps, long seed) {
        return frugal(rho, kind, updateGap, free, freeScale, beta1, beta2, eps, seed, Moments.RESET);
    }

    /** FRUGAL as above, with the moments at a refresh as given. */
    public static ProjectedAdam frugal(double rho, Projector.Kind kind, int updateGap, FreeRule free, double freeScale,
                                       double beta1, double beta2, double eps, long seed, Moments moments) {
        if (!(rho >= 0 && rho <= 1)) throw new IllegalArgumentException("rho must be in [0, 1]: " + rho);
        return new ProjectedAdam((m, n) -> (int) Math.round(rho * Math.min(m, n)), kind, updateGap, moments, 1.0, free, freeScale,
                beta1, beta2, eps, seed);
    }

    /** GaLore: Adam in the top-{@code rank} SVD subspace, update scaled by α, residual dropped, moments kept. */
    public static ProjectedAdam galore(int rank, int updateGap, double alpha, double beta1, double beta2, double eps) {
        return galore(rank, updateGap, alpha, beta1, beta2, eps, Moments.KEEP);
    }

    /** GaLore as above, with the moments at a refresh as given. */
    public static ProjectedAdam galore(int rank, int updateGap, double alpha, double beta1, double beta2, double eps, Moments moments) {
        if (rank < 1) throw new IllegalArgumentException("GaLore rank must be >= 1: " + rank);
        return new ProjectedAdam((m, n) -> Math.min(rank, Math.min(m, n)), Projector.Kind.SVD, updateGap, moments, alpha,
                FreeRule.NONE, 0, beta1, beta2, eps, 0);
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        for (Param p : params) {
            if (!Partition.isMatrix(p))
                throw new IllegalArgumentException("only 2-D matrices are projected, not " + p + ": give it to another rule of a Partition");
            split.add(p);
        }
        projectors = new Projector[split.size()];
        mu = new float[split.size()][];
        nu = new float[split.size()][];
        int maxLow = 0, maxFull = 0;
        for (int i = 0; i < split.size(); i++) {
            Param p = split.get(i);
            int m = p.rows(), n = p.cols(), r = rankFor.applyAsInt(m, n);
            float[] basis = state.putFloats(prefix + "/basis/" + p.name(), new float[Math.max(1, Projector.basisSize(m, n, r))]);
            projectors[i] = new Projector(m, n, r, basis);
            int ls = Projector.lowSize(m, n, r);
            mu[i] = state.putFloats(prefix + "/mu/" + p.name(), new float[Math.max(1, ls)]);
            nu[i] = state.putFloats(prefix + "/nu/" + p.name(), new float[Math.max(1, ls)]);
            stateBytes += 4L * (Projector.basisSize(m, n, r) + 2L * ls);
            maxLow = Math.max(maxLow, ls);
            maxFull = Math.max(maxFull, m * n);
        }
        low = new float[maxLow];
        adamLow = new float[maxLow];
        back = new float[maxFull];
        backFull = new float[maxFull];
        step = state.putLongs(prefix + "/step", 0L);
        count = state.putLongs(prefix + "/count", 0L);
        rng = new Rng(seed);
        state.putLongs(prefix + "/rng", rng.state());
        stateBytes += 8L * 2 + 32;
    }

    @Override
    public void update(List<Param> params, long globalStep) {
        long s = ++step[0];
        boolean refresh = (s - 1) % updateGap == 0;
        if (refresh && moments == Moments.RESET) count[0] = 0;
        long t = ++count[0];
        for (int i = 0; i < split.size(); i++) {
            Param p = split.get(i);
            float[] g = p.grad();
            Projector proj = projectors[i];
            if (refresh) {
                float[] old = moments == Moments.PROJECT && s > 1 ? proj.basisCopy() : null;
                proj.refresh(kind, g, rng);
                if (moments == Moments.RESET) {
                    java.util.Arrays.fill(mu[i], 0f);
                    java.util.Arrays.fill(nu[i], 0f);
                } else if (old != null) {
                    proj.transport(old, mu[i], nu[i]);
                }
            }
            int m = p.rows(), n = p.cols(), size = m * n, ls = Projector.lowSize(m, n, proj.rank());
            proj.project(g, low);
            AdamKernel.step(low, mu[i], nu[i], adamLow, ls, beta1, beta2, eps, t);
            proj.projectBack(adamLow, back);
            if (free == FreeRule.NONE) {
                float sc = scale;
                for (int j = 0; j < size; j++) g[j] = sc * back[j];
            } else {
                proj.projectBack(low, backFull);
                float sc = scale, fs = freeScale;
                if (free == FreeRule.SIGN) {
                    // the residual, its sign (vectorised, Math.signum's values) and the sum: three plain passes
                    float[] r = backFull;
                    for (int j = 0; j < size; j++) r[j] = g[j] - r[j];
                    Sign.signum(r, 0, size);
                    for (int j = 0; j < size; j++) g[j] = sc * back[j] + fs * r[j];
                } else {
                    for (int j = 0; j < size; j++) g[j] = sc * back[j] + fs * (g[j] - backFull[j]);
                }
            }
        }
    }

    /** The second moments in each matrix's subspace. */
    @Override
    public List<float[]> preconditionerState() { return List.of(nu); }

    /** Subspace moments and bases of the matrices. */
    @Override
    public long stateBytes() { return stateBytes; }
}
