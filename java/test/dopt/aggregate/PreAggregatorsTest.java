package dopt.aggregate;

import static dopt.aggregate.Rows.column;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bucketing and NNM by hand, alone and in front of a rule (aggregation.md, "Pre-aggregators"). */
class PreAggregatorsTest {
    private static final int[] IDENTITY_ORIGIN = {0, 1, 2, 3, 4, 5};

    private static float[] firstCoordinates(float[][] rows, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = rows[i][0];
        return v;
    }

    @Test
    void bucketingAveragesConsecutiveBucketsOfThePermutedRowsAndTheLastOverItsOwnSize() {
        // rows 0, 1, 4, 9, 16; permutation [4, 0, 3, 1, 2] -> Y = 16, 0, 9, 1, 4
        // s = 2: buckets {16, 0} -> 8, {9, 1} -> 5, {4} -> 4 (over its own size 1, not s)
        Bucketing b = new Bucketing(5, 1, 2);
        System.arraycopy(new int[] {4, 0, 3, 1, 2}, 0, b.permutation(), 0, 5);
        float[][] out = new float[5][1];
        int m = b.apply(column(0, 1, 4, 9, 16), 5, IDENTITY_ORIGIN, out);
        assertEquals(3, m);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {8, 5, 4}, firstCoordinates(out, m));
    }

    @Test
    void bucketingRefusesAPermutationThatIsNotOne() {
        Bucketing b = new Bucketing(3, 1, 2);
        System.arraycopy(new int[] {0, 2, 2}, 0, b.permutation(), 0, 3);
        AggregationException twice = assertThrows(AggregationException.class, () -> b.apply(column(1, 2, 3), 3, IDENTITY_ORIGIN, new float[3][1]));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        b.permutation()[2] = 3;
        assertThrows(AggregationException.class, () -> b.apply(column(1, 2, 3), 3, IDENTITY_ORIGIN, new float[3][1]));
    }

    @Test
    void nnmReplacesEachRowByTheMeanOfItsNMinusFNearestSelfIncluded() {
        // rows 0, 1, 3, 10, f = 1: the 3 nearest of each, itself at distance 0 included:
        // 0 -> {0, 1, 3} = 4/3; 1 -> {1, 0, 3} = 4/3; 3 -> {3, 1, 0} = 4/3; 10 -> {10, 3, 1} = 14/3
        // (excluding self would make row 0 the mean of {1, 3, 10} = 14/3)
        NearestNeighborMixing nnm = new NearestNeighborMixing(4, 1, 1);
        float[][] out = new float[4][1];
        assertEquals(4, nnm.apply(column(0, 1, 3, 10), 4, IDENTITY_ORIGIN, out));
        float third = (float) (4.0 / 3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {third, third, third, (float) (14.0 / 3)}, firstCoordinates(out, 4), 1e-6f);
    }

    @Test
    void nnmBreaksDistanceTiesToTheLowerIndex() {
        // rows 0, 2, -2, f = 1: row 0's nearest two are itself and then 2 or -2 (both at distance 2): row 1 wins -> 1
        NearestNeighborMixing nnm = new NearestNeighborMixing(3, 1, 1);
        float[][] out = new float[3][1];
        nnm.apply(column(0, 2, -2), 3, IDENTITY_ORIGIN, out);
        assertEquals(1f, out[0][0]);
        assertThrows(IllegalArgumentException.class, () -> new NearestNeighborMixing(3, 1, 3));
    }

    @Test
    void stagesApplyInOrderAndTheRuleKeepsItsOwnF() {
        // nnm f=1 on 0, 1, 3, 10 -> 4/3, 4/3, 4/3, 14/3; bucketing s=2 (identity) -> 4/3, 3; mean -> 13/6
        Bucketing b = new Bucketing(4, 1, 2);
        RobustAggregator a = new RobustAggregator(4, 1, List.of(new NearestNeighborMixing(4, 1, 1), b), new Mean(4, 1));
        float[] out = new float[1];
        a.aggregate(column(0, 1, 3, 10), Rows.allValid(4), out);
        assertEquals(13.0 / 6, out[0], 1e-6);
        // the other order: buckets {0,1} -> 0.5, {3,10} -> 6.5; nnm with f = 1 over 2 rows -> each row itself; mean 3.5
        RobustAggregator swapped = new RobustAggregator(4, 1, List.of(new Bucketing(4, 1, 2), new NearestNeighborMixing(4, 1, 1)), new Mean(4, 1));
        swapped.aggregate(column(0, 1, 3, 10), Rows.allValid(4), out);
        assertEquals(3.5, out[0], 1e-6);
    }

    @Test
    void atMostOneBucketing() {
        assertThrows(IllegalArgumentException.class,
                () -> new RobustAggregator(4, 1, List.of(new Bucketing(4, 1, 2), new Bucketing(4, 1, 2)), new Mean(4, 1)));
    }
}
