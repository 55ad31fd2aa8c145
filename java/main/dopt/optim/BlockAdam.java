package dopt.optim;

import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Sign;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam on a few whole blocks at a time, something cheaper on the rest: FRUGAL's {@code blocks}
 * projector and BAdam, over the matrices of a {@link Partition} (the other parameters are the
 * partition's other rule's).
 *
 * <p>The blocks are the 2-D parameters it is given. Every {@code switchEvery} steps the next
 * {@code active} of them get Adam, with moments and step counter restarted; the others get the
 * state-free rule: sign (FRUGAL, Zmushko et al. 2024: "round(ρ·#matrices) whole linear weight
 * matrices get Adam and the rest signSGD"), plain SGD, or nothing at all (BAdam, Luo et al. 2024:
 * inactive blocks are frozen). Order: {@code descending} walks the blocks from the last to the
 * first (BAdam's default), {@code random} draws a new permutation per sweep. Adam's moments live
 * in {@code active} slots sized for the largest block.
 */
public final class BlockAdam implements GradientTransformation {

    @Override
    public String role() { return "blocks"; }

    public enum Free { SIGN, SGD, FROZEN }

    private final java.util.function.IntUnaryOperator activeFor;
    private final int switchEvery;
    private final boolean randomOrder;
    private final Free free;
    private final float freeScale, beta1, beta2, eps;
    private final long seed;

    private final List<Param> blocks = new ArrayList<>();
    private int active;
    private float[][] slotMu, slotNu;
    private long[] slotOf;      // block index → slot, or −1
    private long[] order, step, count;
    private Rng rng;
    private long stateBytes;

    /** {@code activeFor} maps the number of blocks to how many are under Adam at once. */
    private BlockAdam(java.util.function.IntUnaryOperator activeFor, int switchEvery, boolean randomOrder, Free free, double freeScale,
                      double beta1, double beta2, double eps, long seed) {
        if (switchEvery < 1) throw new IllegalArgumentException("switch interval must be >= 1: " + switchEvery);
        this.activeFor = activeFor;
        this.switchEvery = switchEvery;
        this.randomOrder = randomOrder;
        this.free = free;
        this.freeScale = (float) freeScale;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.seed = seed;
    }

    /** FRUGAL with the blocks projector: round(ρ·#matrices) matrices under Adam, the rest under {@code free}. */
    public static BlockAdam frugal(double rho, int updateGap, boolean randomOrder, Free free, double freeScale,
                                   double beta1, double beta2, double eps, long seed) {
        if (!(rho >= 0 && rho <= 1)) throw new IllegalArgumentException("rho must be in [0, 1]: " + rho);
        return new BlockAdam(nb -> (int) Math.round(rho * nb), updateGap, randomOrder, free, freeScale, beta1, beta2, eps, seed);
    }

    /**
     * BAdam: one matrix block at a time for {@code switchEvery} steps, the other matrices frozen.
     * Unlike the paper, whose partition also cycles embeddings and the head, the non-matrix
     * parameters stay under Adam all the time (they are small; their state is counted): the
     * {@link Partition}'s other rule.
     */
    public static BlockAdam badam(int switchEvery, boolean randomOrder, double beta1, double beta2, double eps, long seed) {
        return new BlockAdam(nb -> Math.min(1, nb), switchEvery, randomOrder, Free.FROZEN, 0, beta1, beta2, eps, seed);
    }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        for (Param p : params) {
            if (!Partition.isMatrix(p))
                throw new IllegalArgumentException("the blocks are 2-D matrices, not " + p + ": give it to another rule of a Partition");
            blocks.add(p);
        }
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
        step = state.putLongs(prefix + "/step", 0L);
        count = state.putLongs(prefix + "/count", 0L);
        rng = new Rng(seed);
        state.putLongs(prefix + "/rng", rng.state());
        stateBytes += 8L * (2 * Math.max(1, nb) + 2) + 32;
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
    }

    /** None: the slots' second moments are restarted at every switch, so averaging them across ranks means nothing. */
    @Override
    public List<float[]> preconditionerState() { return List.of(); }

    @Override
    public long stateBytes() { return stateBytes; }
}
