package dopt.aggregate;

import static dopt.aggregate.Rows.aggregate;
import static dopt.aggregate.Rows.assertClose;
import static dopt.aggregate.Rows.column;
import static dopt.aggregate.Rows.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every rule on a case small enough to check by hand (aggregation.md, "Rules"). */
class RulesTest {
    private static final double EXACT = 1e-7;

    @Test
    void meanAveragesEveryRow() {
        // ((1+3+5)/3, (2+4+9)/3) = (3, 5)
        assertClose(new double[] {3, 5}, aggregate(new Mean(3, 2), Rows.of(row(1, 2), row(3, 4), row(5, 9))), EXACT);
    }

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        // column 0: {1, 3, 100} -> 3; column 1: {-5, -1, 7} -> -1
        assertClose(new double[] {3, -1}, aggregate(new CoordinateMedian(3, 2), Rows.of(row(1, -1), row(100, -5), row(3, 7))), EXACT);
    }

    @Test
    void medianOfAnEvenCountAveragesTheTwoMiddleValues() {
        // column 0: {1, 2, 4, 100} -> (2+4)/2 = 3, not torch's lower middle 2; column 1: {0, 2, 3, 10} -> 2.5
        assertClose(new double[] {3, 2.5},
                aggregate(new CoordinateMedian(4, 2), Rows.of(row(1, 10), row(4, 0), row(2, 2), row(100, 3))), EXACT);
    }

    @Test
    void trimmedMeanDropsTheFSmallestAndLargestPerCoordinate() {
        // f = 1: column 0 {1, 2, 3, 4, 100} -> (2+3+4)/3 = 3; column 1 {-50, 0, 0, 1, 2} -> (0+0+1)/3
        float[][] rows = Rows.of(row(1, 0), row(100, -50), row(3, 2), row(2, 1), row(4, 0));
        assertClose(new double[] {3, 1.0 / 3}, aggregate(new TrimmedMean(5, 2, 1), rows), 1e-7);
        // f = 0 is the mean: (110/5, -47/5)
        assertClose(new double[] {22, -9.4}, aggregate(new TrimmedMean(5, 2, 0), rows), 1e-6);
    }

    @Test
    void trimmedMeanRefusesTwoFAtLeastN() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrimmedMean(4, 1, 2));
        assertTrue(e.getMessage().contains("2f < n") && e.getMessage().contains("f = 2"), e.getMessage());
        // sized for 6 rows with f = 2, but only 4 arrive: refused at the call, not silently lowered as E does
        TrimmedMean t = new TrimmedMean(6, 1, 2);
        assertThrows(AggregationException.class, () -> t.aggregate(column(1, 2, 3, 4), 4, new float[1]));
        // 2f = n - 1 is the largest f allowed: n = 5, f = 2 keeps the median
        assertClose(new double[] {3}, aggregate(new TrimmedMean(5, 1, 2), column(5, 1, 4, 2, 3)), EXACT);
    }

    /**
     * Rows 0, 1, 2, 3, 10 with f = 1: each score sums the n − f − 2 = 2 smallest squared distances.
     * row 0: {1, 4, 9, 100} -> 5; row 1: {1, 1, 4, 81} -> 2; row 2: {4, 1, 1, 64} -> 2;
     * row 3: {9, 4, 1, 49} -> 5; row 4: {100, 81, 64, 49} -> 113.
     * (n − f − 1 = 3 neighbours, B's count, would give 14 for row 0; E's 4th powers 1 + 16 = 17.)
     */
    private static final float[][] KRUM_ROWS = column(0, 1, 2, 3, 10);

    @Test
    void krumScoresWithNMinusFMinus2SquaredDistancesAndBreaksTiesToTheLowerIndex() {
        Krum k = Krum.krum(5, 1, 1);
        float[] out = aggregate(k, KRUM_ROWS);
        double[] scores = new double[5];
        for (int i = 0; i < 5; i++) scores[i] = k.score(i);
        assertArrayEquals(new double[] {5, 2, 2, 5, 113}, scores, EXACT);
        // rows 1 and 2 tie at 2: the lower index wins
        assertEquals(1, k.selectedCount());
        assertEquals(1, k.selected(0));
        assertClose(new double[] {1}, out, EXACT);
    }

    @Test
    void multiKrumAveragesTheMBestByIncreasingScore() {
        // default m = n - f = 4: order 1, 2, 0, 3 (0 and 3 tie at 5: lower first) -> (1+2+0+3)/4 = 1.5
        Krum all = Krum.multiKrum(5, 1, 1, Krum.M_DEFAULT);
        assertClose(new double[] {1.5}, aggregate(all, KRUM_ROWS), EXACT);
        assertArrayEquals(new int[] {1, 2, 0, 3}, selected(all));
        // m = 3: rows 1, 2, 0 -> 1 (the mean, not E's sum 3)
        Krum three = Krum.multiKrum(5, 1, 1, 3);
        assertClose(new double[] {1}, aggregate(three, KRUM_ROWS), EXACT);
        assertArrayEquals(new int[] {1, 2, 0}, selected(three));
        // m = 1 is Krum
        assertClose(new double[] {1}, aggregate(Krum.multiKrum(5, 1, 1, 1), KRUM_ROWS), EXACT);
    }

    @Test
    void krumNeedsAtLeastOneNeighbour() {
        assertThrows(IllegalArgumentException.class, () -> Krum.krum(4, 1, 2)); // 4 - 2 - 2 = 0
        Krum.krum(4, 1, 1); // 4 - 1 - 2 = 1 is enough
        Krum k = Krum.krum(5, 1, 1);
        AggregationException e = assertThrows(AggregationException.class, () -> k.aggregate(column(0, 1, 2), 3, new float[1]));
        assertTrue(e.getMessage().contains("n = 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Krum.multiKrum(5, 1, 1, 6));
    }

    private static int[] selected(Krum k) {
        int[] s = new int[k.selectedCount()];
        for (int q = 0; q < s.length; q++) s[q] = k.selected(q);
        return s;
    }

    @Test
    void geometricMedianStartsAtZeroAndSmoothsWithNu() {
        float[][] rows = Rows.of(row(3, 4), row(0, 0));
        // T = 0: z0 = 0
        assertClose(new double[] {0, 0}, aggregate(new GeometricMedian(2, 2, 0, 0.1), rows), 0);
        // T = 1 from z = 0: distances 5 and 0 -> beta = 1/5 and 1/max(0, 0.1) = 10
        // z1 = (0.2·(3,4) + 10·(0,0)) / 10.2 = (3,4)/51
        assertClose(new double[] {3.0 / 51, 4.0 / 51}, aggregate(new GeometricMedian(2, 2, 1, 0.1), rows), 1e-7);
        // T = 2: ‖z1 − (3,4)‖ = 5·50/51 -> beta 51/250; ‖z1‖ = 5/51 < 0.1 -> beta 10
        // z2 = (51/250)·(3,4) / (51/250 + 10)
        double b = 51.0 / 250;
        assertClose(new double[] {3 * b / (b + 10), 4 * b / (b + 10)}, aggregate(new GeometricMedian(2, 2, 2, 0.1), rows), 1e-7);
    }

    @Test
    void geometricMedianOfPointsOnALineApproachesTheirMedian() {
        // on a line the geometric median is the median, 1 here; the outlier 10 barely moves it
        float[] z = aggregate(new GeometricMedian(3, 1, 200, 1e-6), column(0, 1, 10));
        assertEquals(1, z[0], 1e-3);
        assertThrows(IllegalArgumentException.class, () -> new GeometricMedian(3, 1, 3, 0));
    }

    @Test
    void centeredClippingClipsEachDifferenceToTau() {
        // v0 = 0, tau = 1, L = 1: (3,4) has norm 5 -> (0.6, 0.8); (0, 0.5) has norm 0.5 -> kept
        // v1 = 0 + ((0.6, 0.8) + (0, 0.5)) / 2 = (0.3, 0.65)
        float[][] rows = Rows.of(row(3, 4), row(0, 0.5));
        assertClose(new double[] {0.3, 0.65}, aggregate(new CenteredClipping(2, 2, 1, 1), rows), 1e-7);
        // L = 2 from v1: x1 − v1 = (2.7, 3.35), norm √18.5125 -> scaled by 1/norm; x2 − v1 = (−0.3, −0.15), norm < 1
        double norm = Math.sqrt(2.7 * 2.7 + 3.35 * 3.35);
        double[] v2 = {0.3 + (2.7 / norm - 0.3) / 2, 0.65 + (3.35 / norm - 0.15) / 2};
        assertClose(v2, aggregate(new CenteredClipping(2, 2, 1, 2), rows), 1e-6);
    }

    @Test
    void centeredClippingStartsFromTheGivenCenterAndRemembersItsOutput() {
        CenteredClipping cc = new CenteredClipping(2, 2, 1, 1);
        cc.center()[0] = 1;
        cc.center()[1] = 1;
        // (1,1) equals v and adds 0; (1,3) − v = (0,2), norm 2 -> (0,1); v = (1,1) + (0,1)/2
        float[] out = aggregate(cc, Rows.of(row(1, 1), row(1, 3)));
        assertClose(new double[] {1, 1.5}, out, EXACT);
        assertArrayEquals(out, cc.center(), 0f);
        // the next call starts from (1, 1.5): (1,1) − v = (0,−0.5) kept, (1,3) − v = (0,1.5) -> (0,1); v += (0,0.5)/2
        assertClose(new double[] {1, 1.75}, aggregate(cc, Rows.of(row(1, 1), row(1, 3))), EXACT);
    }
}
