package dopt.random;

/**
 * Deterministic pseudo-random generator (xoshiro256**, Blackman and Vigna 2018,
 * https://prng.di.unimi.it/xoshiro256starstar.c) whose whole state is four longs that the
 * state tree can hold by reference, so a checkpoint captures and restores it exactly.
 * Seeding expands a 64-bit seed with SplitMix64, as the authors recommend.
 */
public final class Rng {
    private final long[] s;

    /** A generator seeded from {@code seed}. */
    public Rng(long seed) {
        s = new long[4];
        long x = seed;
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            s[i] = z ^ (z >>> 31);
        }
    }

    /** Derives an independent stream from a base seed and a list of identifiers (rank, epoch...). */
    public static Rng derive(long seed, long... ids) {
        long h = seed;
        for (long id : ids) h = mix(h ^ mix(id + 0x632BE59BD9B4E019L));
        return new Rng(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /** The live state words (length 4); register this array in the state tree. */
    public long[] state() { return s; }

    public long nextLong() {
        long result = Long.rotateLeft(s[1] * 5, 7) * 9;
        long t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Long.rotateLeft(s[3], 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform integer in [0, bound), without modulo bias (Lemire's method). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long m = (nextLong() >>> 32) * bound;
        long l = m & 0xFFFFFFFFL;
        if (l < bound) {
            long t = (0x1_0000_0000L - bound) % bound;
            while (l < t) {
                m = (nextLong() >>> 32) * bound;
                l = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Standard normal (Marsaglia polar method; no cached spare, so the state alone defines the stream). */
    public double nextGaussian() {
        double u, v, q;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            q = u * u + v * v;
        } while (q >= 1 || q == 0);
        return u * Math.sqrt(-2 * Math.log(q) / q);
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape &lt; 1 via the boost Gamma(a+1)·U^(1/a). */
    public double nextGamma(double shape) {
        if (shape <= 0) throw new IllegalArgumentException("gamma shape must be positive: " + shape);
        if (shape < 1) return nextGamma(shape + 1) * Math.pow(nextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x, v;
            do {
                x = nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
        }
    }

    /** Fisher–Yates shuffle of {@code a} in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
