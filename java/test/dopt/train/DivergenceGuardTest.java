package dopt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the loop refuses to apply an agreed update. */
class DivergenceGuardTest {

    @Test
    void theFirstAgreedLossBecomesTheReferenceAndIsKeptInItsStateLeaf() {
        double[] leaf = {Double.NaN};
        DivergenceGuard g = new DivergenceGuard(leaf);
        assertNull(g.veto(1, 2.3f, 1.0));
        assertEquals(2.3f, (float) leaf[0]);
        assertNull(g.veto(2, 2299f, 1.0), "just under 1000 x the first loss is still allowed");
        String v = g.veto(3, 2301f, 1.0);
        assertTrue(v != null && v.startsWith("diverging loss") && v.contains("2.3"), v);
    }

    @Test
    void aResumedRunComparesAgainstTheOriginalFirstLoss() {
        double[] restored = {0.5};
        assertTrue(new DivergenceGuard(restored).veto(100, 600f, 1.0) != null, "600 > 1000 x 0.5");
    }

    @Test
    void nonFiniteLossesAndGradientNormsAreRefusedFromTheFirstStep() {
        DivergenceGuard g = new DivergenceGuard(new double[] {Double.NaN});
        assertTrue(g.veto(1, Float.NaN, 1.0).startsWith("non-finite loss"));
        assertTrue(g.veto(1, 1f, Double.POSITIVE_INFINITY).startsWith("non-finite gradient norm"));
    }

    @Test
    void aFirstLossNearZeroDoesNotTurnEveryWiggleIntoAnExplosion() {
        DivergenceGuard g = new DivergenceGuard(new double[] {Double.NaN});
        assertNull(g.veto(1, 0f, 1.0));
        assertNull(g.veto(2, 0.5f, 1.0), "the bound is 1000 x max(|first|, 1e-3) = 1");
        assertTrue(g.veto(3, 1.5f, 1.0) != null);
    }
}
