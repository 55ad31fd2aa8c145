package dopt.aggregate;

/**
 * What the f Byzantine rows become, computed from the h honest rows (aggregation.md "Attacks"):
 * an omniscient attacker that sees every honest message of the round, as in E, B and S.
 */
public interface Attack {
    /** The attack's name as the case files spell it ("sign_flip"). */
    String name();

    /**
     * Writes {@code byzantine[0..f)}, each of the honest rows' length, from {@code honest[0..h)}.
     *
     * @throws IllegalArgumentException if the attack is undefined for these h and f
     */
    void forge(float[][] honest, int h, float[][] byzantine, int f);
}
