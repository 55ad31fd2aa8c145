package dopt.optim;

import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Sign;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam on a window of the matrices that moves every {@code switchEvery} steps, something cheaper
 * on the rest: FRUGAL's {@code blocks} projector and BAdam, over the matrices of a
 * {@link Partition} (the other parameters are the partition's other rule's).
 *
 * <p>The matrices it is given are laid end to end, each row-major, in the walk's order:
 * {@code descending} from the last matrix to the first (BAdam's default), or {@code random}, a new
 * permutation per sweep. A sweep cuts the walk into consecutive windows; every {@code switchEvery}
 * steps the next window gets Adam, with moments and step counter restarted, and every other
 * coordinate gets the state-free rule: sign (FRUGAL, Zmushko et al. 2024), plain SGD, or nothing
 * at all (BAdam, Luo et al. 2024: inactive blocks are frozen).
 * <ul>
 *   <li>FRUGAL: windows of B = round(ρ·N) coordinates, N the matrices' parameter count (the last
 *   window of a sweep may be shorter), so Adam's state is ρ of full Adam's on the matrices
 *   whatever their sizes. Where the matrices are of one size and ρ·#matrices is whole, a window
 *   is round(ρ·#matrices) whole matrices, the paper's selection ("round(ρ·#matrices) whole linear
 *   weight matrices get Adam and the rest signSGD").</li>
 *   <li>BAdam: each window is one whole matrix; the moments are sized for the largest.</li>
 * </ul>
 * Which window is active follows from the step counter and the walk's order, both in the state.
 */
public final class BlockAdam implements GradientTransformation {

    @Override
    public String role() { return "blocks"; }

    public enum Free { SIGN, SGD, FROZEN }

    /** FRUGAL's budget ρ, or NaN: whole matrices per window (BAdam). */
    private final double rho;
    /** BAdam: matrices per window (1 in the paper). */
    private final int perWindow;
    private final int switchEvery;
    private final boolean randomOrder;
    private final Free free;
    private final float freeScale, beta1, beta2, eps;
    private final long seed;

    private final List<Param> blocks = new ArrayList<>();
    private long total, budget;
    private int windowsPerSweep;
    private long[] start;       // block index → where it begins in this sweep's walk
    private float[] mu, nu;     // the window's moments, from the window's first coordinate
    private long[] order, step, count;
    private Rng rng;
    private long stateBytes;

    private BlockAdam(double rho, int perWindow, int switchEvery, boolean randomOrder, Free free, double freeScale,
                      double beta1, double beta2, double eps, long seed) {
        if (switchEvery < 1) throw new IllegalArgumentException("switch interval must be >= 1: " + switchEvery);
        if (perWindow < 1) throw new IllegalArgumentException("blocks per window must be >= 1: " + perWindow);
        this.rho = rho;
        this.perWindow = perWindow;
        this.switchEvery = switchEvery;
        this.randomOrder = randomOrder;
        this.free = free;
        this.freeScale = (float) freeScale;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.seed = seed;
    }

    /** FRUGAL with the blocks projector: windows of round(ρ·N) of the N matrix coordinates under Adam, the rest under {@code free}. */
    public static BlockAdam frugal(double rho, int updateGap, boolean randomOrder, Free free, double freeScale,
                                   double beta1, double beta2, double eps, long seed) {
        if (!(rho >= 0 && rho <= 1)) throw new IllegalArgumentException("rho must be in [0, 1]: " + rho);
        return new BlockAdam(rho, 1, updateGap, randomOrder, free, freeScale, beta1, beta2, eps, seed);
    }

    /**
     * BAdam: {@code blocks} consecutive matrices of the walk at a time (the paper: one) for
     * {@code switchEvery} steps, the other matrices frozen; the moments are sized for the
     * {@code blocks} largest matrices, whatever the order brings together. Unlike the paper, whose
     * partition also cycles embeddings and the head, the non-matrix parameters stay under Adam all
     * the time (they are small; their state is counted): the {@link Partition}'s other rule.
     */
    public static BlockAdam badam(int switchEvery, int blocks, boolean randomOrder, double beta1, double beta2, double eps, long seed) {
        return new BlockAdam(Double.NaN, blocks, switchEvery, randomOrder, Free.FROZEN, 0, beta1, beta2, eps, seed);
    }

    private boolean wholeBlocks() { return Double.isNaN(rho); }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        for (Param p : params) {
            if (!Partition.isMatrix(p))
                throw new IllegalArgumentException("the blocks are 2-D matrices, not " + p + ": give it to another rule of a Partition");
            blocks.add(p);
        }
        int nb = blocks.size();
        long[] sizes = new long[nb];
        for (int i = 0; i < nb; i++) {
            sizes[i] = blocks.get(i).size();
            total += sizes[i];
        }
        java.util.Arrays.sort(sizes);
        long largest = 0;
        for (int i = 0; i < Math.min(perWindow, nb); i++) largest += sizes[nb - 1 - i];
        budget = wholeBlocks() ? largest : Math.round(rho * total);
        windowsPerSweep = wholeBlocks() ? Math.max(1, (nb + perWindow - 1) / perWindow)
                : budget == 0 ? 1 : (int) ((total + budget - 1) / budget);
        int capacity = (int) budget;
        mu = state.putFloats(prefix + "/window/mu", new float[Math.max(1, capacity)]);
        nu = state.putFloats(prefix + "/window/nu", new float[Math.max(1, capacity)]);
        order = state.putLongs(prefix + "/order", new long[Math.max(1, nb)]);
        for (int i = 0; i < nb; i++) order[i] = nb - 1 - i; // descending: last block first
        start = new long[nb];
        step = state.putLongs(prefix + "/step", 0L);
        count = state.putLongs(prefix + "/count", 0L);
        rng = new Rng(seed);
        state.putLongs(prefix + "/rng", rng.state());
        stateBytes = 8L * capacity + 8L * (Math.max(1, nb) + 2) + 32;
    }

    /** A new random permutation of the walk (Fisher–Yates with the rule's own RNG, saved with it). */
    private void shuffle() {
        for (int i = blocks.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    @Override
    public void update(List<Param> params, long globalStep) {
        long s = ++step[0];
        long switches = (s - 1) / switchEvery;
        int window = (int) (switches % windowsPerSweep);
        if ((s - 1) % switchEvery == 0) {
            if (randomOrder && window == 0) shuffle();
            java.util.Arrays.fill(mu, 0f);
            java.util.Arrays.fill(nu, 0f);
            count[0] = 0;
        }
        long t = ++count[0];
        long at = 0;
        for (int k = 0; k < blocks.size(); k++) {
            int b = (int) order[k];
            start[b] = at;
            at += blocks.get(b).size();
        }
        long lo, hi;
        if (wholeBlocks()) {
            int first = window * perWindow, last = Math.min(blocks.size(), first + perWindow) - 1;
            lo = blocks.isEmpty() ? 0 : start[(int) order[first]];
            hi = blocks.isEmpty() ? 0 : start[(int) order[last]] + blocks.get((int) order[last]).size();
        } else {
            lo = Math.min(total, window * budget);
            hi = Math.min(total, lo + budget);
        }
        for (int b = 0; b < blocks.size(); b++) {
            float[] g = blocks.get(b).grad();
            // the part of this block inside the window, in the block's own coordinates
            int from = (int) Math.max(0, Math.min(g.length, lo - start[b]));
            int to = (int) Math.max(from, Math.min(g.length, hi - start[b]));
            if (to > from)
                AdamKernel.step(g, from, mu, nu, (int) (start[b] + from - lo), g, from, to - from, beta1, beta2, eps, t);
            freeRule(g, 0, from);
            freeRule(g, to, g.length);
        }
    }

    private void freeRule(float[] g, int from, int to) {
        if (from >= to) return;
        switch (free) {
            case SIGN -> Sign.scaledSignum(g, from, to, freeScale); // freeScale · Math.signum(g[j])
            case SGD -> { for (int j = from; j < to; j++) g[j] *= freeScale; }
            case FROZEN -> java.util.Arrays.fill(g, from, to, 0f);
        }
    }

    /** None: the window's second moments are restarted at every switch, so averaging them across ranks means nothing. */
    @Override
    public List<float[]> preconditionerState() { return List.of(); }

    @Override
    public long stateBytes() { return stateBytes; }
}
