package dopt.aggregate;

import static dopt.aggregate.Rows.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every attack on H = {(1, 2), (3, 6)}: mean (2, 4), ddof-1 std (√2, √8) (aggregation.md, "Attacks"). */
class AttacksTest {
    private static final float[][] H = Rows.of(row(1, 2), row(3, 6));

    private static float[][] forge(Attack a, int f) {
        float[][] b = new float[f][2];
        a.forge(H, 2, b, f);
        return b;
    }

    @Test
    void signFlipSendsMinusTheHonestMean() {
        float[][] b = forge(new SignFlipAttack(2), 2);
        assertArrayEquals(new float[] {-2, -4}, b[0]);
        assertArrayEquals(new float[] {-2, -4}, b[1]);
    }

    @Test
    void ipmSendsMinusEpsTimesTheHonestMean() {
        assertArrayEquals(new float[] {-1, -2}, forge(new IpmAttack(2, 0.5), 1)[0]);
        assertEquals(0.1, IpmAttack.DEFAULT_EPS);
    }

    @Test
    void bitFlipNegatesTheHonestRowWhoseShardItSamples() {
        // Byzantine row j = −H[j mod h]: −H[0], −H[1], −H[0]
        float[][] b = forge(new BitFlipAttack(2), 3);
        assertArrayEquals(new float[] {-1, -2}, b[0]);
        assertArrayEquals(new float[] {-3, -6}, b[1]);
        assertArrayEquals(new float[] {-1, -2}, b[2]);
    }

    @Test
    void alieSubtractsZTimesTheDdof1Std() {
        // given z = 1: (2 − √2, 4 − √8)
        float[][] b = forge(new AlieAttack(2, 1.0), 2);
        assertArrayEquals(new float[] {(float) (2 - Math.sqrt(2)), (float) (4 - Math.sqrt(8))}, b[0], 1e-6f);
        assertArrayEquals(b[0], b[1]);
    }

    @Test
    void aliesDefaultZFollowsNAndF() {
        // n = 7, f = 2: s = floor(7/2) + 1 − 2 = 2, p = (5 − 2)/5 = 0.6, Φ⁻¹(0.6) = 0.2533471031357998
        assertEquals(0.2533471031357998, AlieAttack.defaultZ(7, 2), 1e-14);
        // f = 1 with odd n: s = (n−1)/2, p = 1/2, z = 0
        assertEquals(0, AlieAttack.defaultZ(5, 1), 0);
        // n = 20, f = 4: s = 7, p = 9/16, Φ⁻¹(0.5625) = 0.15731068461017067
        assertEquals(0.15731068461017067, AlieAttack.defaultZ(20, 4), 1e-14);
        // n = 4, f = 3: s = 0, p = 1: undefined, a clear error
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AlieAttack.defaultZ(4, 3));
        assertTrue(e.getMessage().contains("(0, 1)"), e.getMessage());
        // on rows: h = 2, f = 1 -> n = 3, s = 1, p = 1/2, z = 0: the mean
        assertArrayEquals(new float[] {2, 4}, forge(new AlieAttack(2, null), 1)[0]);
    }

    @Test
    void alieNeedsTwoHonestRowsForTheStd() {
        assertThrows(IllegalArgumentException.class, () -> new AlieAttack(2, 1.0).forge(H, 1, new float[1][2], 1));
    }

    @Test
    void gaussianSendsMuPlusSigmaTimesTheSharedDraw() {
        GaussianAttack g = new GaussianAttack(2, 1, 2);
        g.noise()[0] = 0.5f;
        g.noise()[1] = -1;
        float[][] b = forge(g, 2);
        assertArrayEquals(new float[] {2, -1}, b[0]);
        assertArrayEquals(new float[] {2, -1}, b[1]);
    }

    @Test
    void noneForgesNothing() {
        new NoAttack().forge(H, 2, new float[0][], 0);
        assertThrows(IllegalArgumentException.class, () -> new NoAttack().forge(H, 2, new float[1][2], 1));
    }
}
