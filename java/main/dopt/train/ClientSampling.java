package dopt.train;

import dopt.random.Rng;
import java.util.Arrays;

/**
 * Which clients take part in a federated round: {@code s} of {@code n} uniformly without
 * replacement, drawn from a generator derived from the job's seed and the round alone. Every rank
 * draws the same clients without talking, and a run resumed at round k draws what the uninterrupted
 * run drew: the sample is a function of (seed, round), not of a generator's history.
 */
final class ClientSampling {
    /** Domain of the derived generators, apart from the ones of the loaders and the ranks. */
    private static final long DOMAIN = 0xFEDL;

    private final long seed;
    private final int[] pool, chosen;

    ClientSampling(long seed, int clients, int perRound) {
        if (perRound < 1 || perRound > clients)
            throw new IllegalArgumentException(perRound + " clients per round of " + clients);
        this.seed = seed;
        this.pool = new int[clients];
        this.chosen = new int[perRound];
    }

    int perRound() { return chosen.length; }

    /**
     * The clients of round {@code round}, ascending, in an array this object reuses. A partial
     * Fisher-Yates shuffle: the first s positions of a uniformly random permutation.
     */
    int[] sample(long round) {
        for (int i = 0; i < pool.length; i++) pool[i] = i;
        if (chosen.length == pool.length) {
            System.arraycopy(pool, 0, chosen, 0, pool.length);
            return chosen;
        }
        Rng rng = Rng.derive(seed, DOMAIN, round);
        for (int i = 0; i < chosen.length; i++) {
            int j = i + rng.nextInt(pool.length - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        System.arraycopy(pool, 0, chosen, 0, chosen.length);
        // ascending, so that every rank sums its clients' deltas in the same order
        Arrays.sort(chosen);
        return chosen;
    }
}
