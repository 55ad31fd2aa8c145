package dopt.aggregate;

/** No Byzantine rows (aggregation.md "none"): asking it for any is an error, not silence. */
public final class NoAttack implements Attack {
    @Override public String name() { return "none"; }

    @Override
    public void forge(float[][] honest, int h, float[][] byzantine, int f) {
        if (f != 0) throw new IllegalArgumentException("attack none forges no Byzantine rows, asked for " + f);
    }
}
