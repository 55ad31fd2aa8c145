package dopt.aggregate;

/**
 * Every Byzantine row is −mean(H) (aggregation.md "sign_flip"; B {@code SignFlipping}); the
 * inner-product manipulation of {@link IpmAttack} with ε = 1.
 */
public final class SignFlipAttack implements Attack {
    private final IpmAttack ipm;

    public SignFlipAttack(int d) {
        this.ipm = new IpmAttack(d, 1.0);
    }

    @Override public String name() { return "sign_flip"; }

    @Override
    public void forge(float[][] honest, int h, float[][] byzantine, int f) {
        ipm.forge(honest, h, byzantine, f);
    }
}
