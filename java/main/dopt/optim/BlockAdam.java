package dopt.optim;

import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Sign;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam on a few whole blocks at a time, something cheaper on the rest: FRUGAL's {@code blocks}
 * projector and BAdam.
 *
 * <p>The blocks are the 2-D parameters of role MATRIX. Every {@code switchEvery} steps the next
 * {@code active} of them get Adam, with moments and step counter restarted; the others get the
 * state-free rule: sign (FRUGAL, Zmushko et al. 2024: "round(ρ·#matrices) whole linear weight
 * matrices get Adam and the rest signSGD"), plain SGD, or nothing at all (BAdam, Luo et al. 2024:
 * inactive blocks are frozen). Order: {@code descending} walks the blocks from the last to the
 * first (BAdam's default), {@code random} draws a new permutation per sweep. Parameters that are
 * not blocks (embeddings, norms, head, biases) keep full-state Adam in FRUGAL; in BAdam they are
 * frozen unless {@code denseAdam} is set. Adam's moments live in {@code active} slots sized for the
 * largest block, so the optimizer state really is ρ of full Adam's.
 */
public final class BlockAdam implements GradientTransformation {

    public enum Free { SIGN, SGD, FROZEN }

    private final java.util.function.IntUnaryOperator activeFor;
    private final int switchEvery;
    private final boolean randomOrder, denseAdam;
    private final Free free;
    private final float freeScale, beta1, beta2, eps;
    private final long seed;

    private final List<Param> blocks = new ArrayList<>(), dense = new ArrayList<>();
    private int active;
    private float[][] slotMu, slotNu, denseMu, denseNu;
    private long[] slotOf;      // block index → slot, or −1
    private long[] order, step, count, denseCount;
    private Rng rng;
    private long stateBytes;

    /** {@code activeFor} maps the number of blocks to how many are under Adam at once. */
    private BlockAdam(java.util.function.IntUnaryOperator activeFor, int switchEvery, boolean randomOrder, Free free, double freeScale,
                      boolean denseAdam, double beta1, double beta2, double eps, long seed) {
        if (switchEvery < 1) throw new IllegalArgumentException("switch interval must be >= 1: " + switchEvery);
        this.activeFor = activeFor;
        this.switchEvery = switchEvery;
        this.randomOrder = randomOrder;
        this.free = free;
        this.freeScale = (float) freeScale;
        this.denseAdam = denseAdam;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.seed = seed;
    }

    /** FRUGAL with the blocks projector: round(ρ·#matrices) matrices under Adam, the rest under {@code free}. */
    public static BlockAdam frugal(double rho, int updateGap, boolean randomOrder, Free free, double freeScale,
                                   double beta1, double beta2, double eps, long seed) {
        if (!(rho >= 0 && rho <= 1)) throw new IllegalArgumentException("rho must be in [0, 1]: " + rho);
        return new BlockAdam(nb -> (int) Math.round(rho * nb), updateGap, randomOrder, free, freeScale, true, beta1, beta2, eps, seed);
    }

    /**
     * BAdam: one matrix block at a time for {@code switchEvery} steps, the other matrices frozen.
     * Unlike the paper, whose partition also cycles embeddings and the head, the non-matrix
     * parameters here stay under Adam all the time (they are small; their state is counted).
     */
    public static BlockAdam badam(int switchEvery, boolean randomOrder, double beta1, double beta2, double eps, long seed) {
        return new BlockAdam(nb -> Math.min(1, nb), switchEvery, randomOrder, Free.FROZEN, 0, true, beta1, beta2, eps, seed);
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        for (Param p : params) (p.role() == Param.Role.MATRIX && p.shape().length == 2 ? blocks : dense).add(p);
        int nb = blocks.size();
        active = activeFor.applyAsInt(nb);
        int largest = 1;
        for (Param p : blocks) largest = Math.max(largest, p.size());
        slotMu = new float[active][];
        slotNu = new float[active][];
        for (int s = 0; s < active; s++) {
            slotMu[s] = state.putFloats(prefix + "/slot/" + s + "/mu", new float[largest]);
            slotNu[s] = state.putFloats(prefix + "/slot/" + s + "/nu", new float[largest]);
            stateBytes += 8L * largest;
        }
        slotOf = state.putLongs(prefix + "/slot_of_block", new long[Math.max(1, nb)]);
        java.util.Arrays.fill(slotOf, -1);
        order = state.putLongs(prefix + "/order", new long[Math.max(1, nb)]);
        for (int i = 0; i < nb; i++) order[i] = nb - 1 - i; // descending: last block first
        denseMu = new float[dense.size()][];
        denseNu = new float[dense.size()][];
        if (denseAdam) {
            for (int i = 0; i < dense.size(); i++) {
                Param p = dense.get(i);
                denseMu[i] = state.putFloats(prefix + "/dense/mu/" + p.name(), new float[p.size()], p.shape());
                denseNu[i] = state.putFloats(prefix + "/dense/nu/" + p.name(), new float[p.size()], p.shape());
                stateBytes += 8L * p.size();
            }
        }
        step = state.putLongs(prefix + "/step", 0L);
        count = state.putLongs(prefix + "/count", 0L);
        denseCount = state.putLongs(prefix + "/dense/count", 0L);
        rng = new Rng(seed);
        state.putLongs(prefix + "/rng", rng.state());
        stateBytes += 8L * (2 * Math.max(1, nb) + 3) + 32;
    }

    /** Indices of the blocks under Adam for the sweep position after {@code switches} switches. */
    private void select(long switches) {
        int nb = blocks.size();
        java.util.Arrays.fill(slotOf, -1);
        if (active == 0 || nb == 0) return;
        long first = switches * active;
        if (randomOrder && first % nb < active) {
            // a new sweep: a fresh permutation
            for (int i = nb - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        for (int s = 0; s < active; s++) {
            int b = (int) order[(int) ((first + s) % nb)];
            slotOf[b] = s;
            java.util.Arrays.fill(slotMu[s], 0f);
            java.util.Arrays.fill(slotNu[s], 0f);
        }
    }

    @Override
    public void update(List<Param> params, long globalStep) {
        long s = ++step[0];
        if ((s - 1) % switchEvery == 0) {
            select((s - 1) / switchEvery);
            count[0] = 0;
        }
        long t = ++count[0];
        for (int b = 0; b < blocks.size(); b++) {
            float[] g = blocks.get(b).grad();
            int slot = (int) slotOf[b];
            if (slot >= 0) {
                AdamKernel.step(g, slotMu[slot], slotNu[slot], g, g.length, beta1, beta2, eps, t);
            } else {
                switch (free) {
                    case SIGN -> Sign.scaledSignum(g, 0, g.length, freeScale); // freeScale · Math.signum(g[j])
                    case SGD -> { for (int j = 0; j < g.length; j++) g[j] *= freeScale; }
                    case FROZEN -> java.util.Arrays.fill(g, 0f);
                }
            }
        }
        long td = ++denseCount[0];
        for (int i = 0; i < dense.size(); i++) {
            float[] g = dense.get(i).grad();
            if (denseAdam) AdamKernel.step(g, denseMu[i], denseNu[i], g, g.length, beta1, beta2, eps, td);
            else java.util.Arrays.fill(g, 0f);
        }
    }

    /** The full second moments of the parameters that are not blocks (the slots' are restarted at every switch anyway). */
    @Override
    public List<float[]> preconditionerState() { return denseAdam ? List.of(denseNu) : List.of(); }

    @Override
    public long stateBytes() { return stateBytes; }
}
