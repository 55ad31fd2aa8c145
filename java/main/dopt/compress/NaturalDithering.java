package dopt.compress;

import dopt.random.Rng;

/**
 * Natural dithering with s levels and the p-norm (Horváth, Ho, Horváth, Sahu, Canini and Richtárik
 * 2019, "Natural compression for distributed deep learning", Section 4): each coordinate becomes
 * ‖x‖ₚ·sign(xᵢ)·ξᵢ, where ξᵢ rounds rᵢ = |xᵢ|/‖x‖ₚ at random, without bias, to one of its two
 * neighbours among the levels {0, 2^(1−s), …, 1/2, 1}: powers of two instead of QSGD's uniform
 * grid, so small coordinates keep their relative precision.
 *
 * <p>Unbiased with ω = 1/8 + d^(1/r)·2^(1−s)·min{1, d^(1/r)·2^(1−s)}, r = min{p, 2} (the paper's
 * theorem for natural dithering; the 1/8 is the worst case of random rounding between a and 2a,
 * max over t∈[1,2] of (2−t)(t−1)/t², the second term the rounding of coordinates below the smallest
 * level 2^(1−s) to 0 or 2^(1−s)).
 *
 * <p>Wire: the norm (float32) plus, per coordinate, a sign bit and ⌈log₂(s+1)⌉ bits for the level
 * index k (k = 0 is zero, k ≥ 1 the level 2^(k−s)), packed little-endian like {@link Qsgd}.
 */
public final class NaturalDithering implements Compressor {
    private final int levels;
    private final double p;
    private float lastNorm;
    /** The level index per coordinate from the last compress(), so encode() need not re-derive it from floats. */
    private byte[] codes = new byte[0];

    /** Natural dithering with {@code levels} levels and the 2-norm. */
    public NaturalDithering(int levels) { this(levels, 2); }

    /** {@code p} in [1, ∞] ({@link Double#POSITIVE_INFINITY} for the max-norm). */
    public NaturalDithering(int levels, double p) {
        if (levels < 1 || levels > 32)
            throw new IllegalArgumentException("natural dithering needs 1 to 32 levels (2^-31 is far below float32 gradients' useful range): " + levels);
        if (!(p >= 1)) throw new IllegalArgumentException("natural dithering's norm p must be >= 1 (or infinity): " + p);
        this.levels = levels;
        this.p = p;
    }

    private double norm(float[] x, int n) {
        if (p == Double.POSITIVE_INFINITY) {
            double m = 0;
            for (int i = 0; i < n; i++) m = Math.max(m, Math.abs(x[i]));
            return m;
        }
        if (p == 2) {
            double sq = 0;
            for (int i = 0; i < n; i++) sq += (double) x[i] * x[i];
            return Math.sqrt(sq);
        }
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.pow(Math.abs(x[i]), p);
        return Math.pow(s, 1 / p);
    }

    @Override
    public long compress(float[] x, float[] out, int n, Rng rng) {
        if (codes.length < n) codes = new byte[n];
        double norm = norm(x, n);
        lastNorm = (float) norm;
        double smallest = Math.scalb(1.0, 1 - levels);
        for (int i = 0; i < n; i++) {
            int code = 0;
            // a non-finite norm makes every output NaN (value() below), so the trainer's check sees it;
            // receivers refuse such a message (decodeAdd)
            if (Double.isFinite(norm) && norm > 0 && x[i] != 0) {
                double r = Math.min(1.0, Math.abs(x[i]) / norm);
                double lower, upper;
                int lowerCode;
                if (r < smallest) {
                    lower = 0;
                    upper = smallest;
                    lowerCode = 0;
                } else {
                    int e = Math.getExponent(r); // r in [2^e, 2^(e+1)), e in [1-s, 0]
                    lower = Math.scalb(1.0, e);
                    upper = 2 * lower;
                    lowerCode = e + levels;
                }
                // unbiased: up with probability (r − lower)/(upper − lower); r = 1 never goes up
                code = rng.nextDouble() * (upper - lower) < r - lower ? lowerCode + 1 : lowerCode;
            }
            codes[i] = (byte) code;
            float v = value(lastNorm, code);
            out[i] = x[i] < 0 ? -v : v;
        }
        return wireBytes(n);
    }

    /** The same float arithmetic on sender and receivers: the norm times an exact power of two (or zero). */
    private float value(float norm, int code) {
        return norm * (code == 0 ? 0f : Math.scalb(1f, code - levels));
    }

    /** 4 bytes of norm plus ⌈d·(1 + ⌈log₂(s+1)⌉)/8⌉ bytes of signs and level indices. */
    @Override
    public long wireBytes(int n) { return 4L + SignLevelCodes.bytes(n, levels); }

    @Override
    public void encode(float[] compressed, int n, java.nio.ByteBuffer out) {
        out.putFloat(lastNorm);
        SignLevelCodes.write(out, compressed, n, levels, i -> codes[i]);
    }

    /**
     * Checks the length, the norm (finite, not negative) and every level index (at most s) before
     * it adds. A sender whose input was not finite sends a non-finite norm, so its message is
     * refused here on every rank alike.
     */
    @Override
    public void decodeAdd(java.nio.ByteBuffer in, int n, float[] acc, float weight) {
        WireCheck.length(in, wireBytes(n), this, n);
        WireCheck.scale(in.getFloat(in.position()), "norm", this);
        SignLevelCodes.check(in, in.position() + 4, n, levels, this);
        float norm = in.getFloat();
        SignLevelCodes.readAdd(in, n, levels, code -> value(norm, code), acc, weight);
    }

    @Override public double alpha(int n) { return Double.NaN; }

    @Override
    public double omega(int n) {
        double r = Math.min(p, 2);
        double t = Math.pow(n, 1 / r) * Math.scalb(1.0, 1 - levels);
        return 0.125 + t * Math.min(1, t);
    }

    @Override
    public String name() {
        return "natural-dithering(s=" + levels + (p == 2 ? "" : ", p=" + (p == Double.POSITIVE_INFINITY ? "inf" : p)) + ")";
    }
}
