package dopt.markov;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * The multilevel Monte Carlo randomized batch of Beznosikov et al. 2023 (arXiv:2305.15938,
 * Algorithm 1 line 6, also used by Algorithm 2): draw J ~ Geom(1/2), P(J = j) = 2^{−j} for
 * j ≥ 1, and return
 * <pre>
 *   g = g⁰ + 2^J (g^J − g^{J−1})   if 2^J ≤ M,
 *   g = g⁰                         otherwise,
 *   g^j = (2^j B)^{−1} Σ_{i=1}^{2^j B} F(x, Z_{T+i}),
 * </pre>
 * where the Z_{T+i} are the next consecutive samples of the chain (the levels are nested: g^j
 * averages the first 2^j B of them). Averaging over J telescopes, so conditionally on the chain's
 * path E_J[g] = g^L with L = ⌊log₂ M⌋: the bias of a batch of 2^L B consecutive samples at an
 * expected cost of only B (L + 2^{−L}) samples ({@link #expectedSamples}).
 *
 * <p>The chain advances by the samples actually drawn: 2^J B when 2^J ≤ M, else B (the paper's
 * box writes T^{k+1} = T^k + 2^{J_k} B, which would have infinite mean when the level is cut off;
 * a discarded level is never sampled). With M = 1 no level can be used, no J is drawn and the
 * estimator is the plain mean of B consecutive samples.
 *
 * <p>State: the samples drawn, the level stream's RNG words and the chain's state, registered in a
 * state tree by {@link #register}; the other buffers are scratch, rewritten by every estimate.
 */
public final class MlmcBatchEstimator {
    private final MarkovChain chain;
    private final StochasticOperator op;
    private final int batch, maxBatchFactor, maxLevel;
    private final Rng levels;
    private final double[] z, f, sumLower, sum;
    /** Chain samples consumed so far; an array so that the state tree can hold it. */
    private final long[] samples = new long[1];

    /**
     * @param batch          B, samples per unit level (≥ 1)
     * @param maxBatchFactor M, the largest 2^J used (≥ 1)
     * @param levels         the random stream that draws J (separate from the chain's)
     */
    public MlmcBatchEstimator(MarkovChain chain, StochasticOperator op, int batch, int maxBatchFactor, Rng levels) {
        if (batch < 1) throw new IllegalArgumentException("MLMC batch B must be >= 1: " + batch);
        if (maxBatchFactor < 1) throw new IllegalArgumentException("MLMC batch limit M must be >= 1: " + maxBatchFactor);
        this.chain = chain;
        this.op = op;
        this.batch = batch;
        this.maxBatchFactor = maxBatchFactor;
        this.maxLevel = 31 - Integer.numberOfLeadingZeros(maxBatchFactor);
        this.levels = levels;
        this.z = new double[chain.dim()];
        int d = op.dim();
        this.f = new double[d];
        this.sumLower = new double[d];
        this.sum = new double[d];
    }

    /** L = ⌊log₂ M⌋, the deepest level that can be drawn. */
    public int maxLevel() { return maxLevel; }

    public int dim() { return op.dim(); }

    /** Chain samples consumed so far. */
    public long samples() { return samples[0]; }

    /**
     * Registers the estimator's state under {@code prefix} by reference: {@code samples}, {@code rng}
     * (the level stream) and the chain's under {@code prefix/chain}.
     */
    public void register(StateTree state, String prefix) {
        state.putLongs(prefix + "/samples", samples);
        state.putLongs(prefix + "/rng", levels.state());
        chain.register(state, prefix + "/chain");
    }

    /** E[samples per estimate] = B (L + 2^{−L}): level j ≤ L costs 2^j B with probability 2^{−j}, else B. */
    public static double expectedSamples(int batch, int maxBatchFactor) {
        int l = 31 - Integer.numberOfLeadingZeros(maxBatchFactor);
        return batch * (l + Math.pow(2, -l));
    }

    /** Draws J ~ Geom(1/2) on {1, 2, ...}: one plus the trailing zero bits of a uniform word. */
    public int drawLevel() {
        return 1 + Long.numberOfTrailingZeros(levels.nextLong());
    }

    /** Writes the randomized-batch estimate at {@code x} into {@code out}; returns the samples it drew. */
    public int estimate(double[] x, double[] out) {
        return estimateAtLevel(x, maxLevel == 0 ? 1 : drawLevel(), out);
    }

    /**
     * The estimate for a given level J ≥ 1 (levels beyond L fall back to g⁰); {@link #estimate}
     * draws J, tests enumerate it. Returns the samples drawn.
     */
    public int estimateAtLevel(double[] x, int level, double[] out) {
        if (level < 1) throw new IllegalArgumentException("MLMC level J must be >= 1: " + level);
        int d = out.length;
        boolean deep = level <= maxLevel;
        int n = deep ? batch << level : batch;
        int lower = deep ? batch << (level - 1) : batch;
        for (int k = 0; k < d; k++) { sum[k] = 0; sumLower[k] = 0; }
        double[] g0 = out;
        for (int i = 1; i <= n; i++) {
            chain.next(z);
            op.apply(x, z, f);
            for (int k = 0; k < d; k++) sum[k] += f[k];
            if (i == batch) for (int k = 0; k < d; k++) g0[k] = sum[k] / batch;
            if (i == lower) System.arraycopy(sum, 0, sumLower, 0, d);
        }
        samples[0] += n;
        if (deep) {
            double scale = 1 << level, inv = 1.0 / n, invLower = 1.0 / lower;
            for (int k = 0; k < d; k++) g0[k] += scale * (sum[k] * inv - sumLower[k] * invLower);
        }
        return n;
    }
}
