package dopt.aggregate;

/**
 * Byzantine row j is −H[j mod h] (aggregation.md "bit_flip"; E/V {@code bitflipping.py}, S
 * {@code BitFlipping}): a Byzantine worker sends the negation of its own gradient, and Byzantine
 * rank h + j samples honest rank j mod h's shard (V {@code byz_funcs.py} get_sampler_callback), so
 * with full batches its own gradient is H[j mod h]. The rows differ unless h = 1.
 */
public final class BitFlipAttack implements Attack {
    private final int d;

    public BitFlipAttack(int d) {
        if (d < 1) throw new IllegalArgumentException("bit_flip: d must be >= 1, got " + d);
        this.d = d;
    }

    @Override public String name() { return "bit_flip"; }

    @Override
    public void forge(float[][] honest, int h, float[][] byzantine, int f) {
        HonestMean.check(name(), honest, h, d);
        HonestMean.checkRows(name(), byzantine, f, d);
        for (int i = 0; i < f; i++) {
            float[] src = honest[i % h];
            for (int j = 0; j < d; j++) byzantine[i][j] = -src[j];
        }
    }
}
