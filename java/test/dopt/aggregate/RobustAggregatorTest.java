package dopt.aggregate;

import static dopt.aggregate.Rows.column;
import static dopt.aggregate.Rows.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The composition: invalid rows dropped first, f kept, selected rows named in the caller's indices, no allocation. */
class RobustAggregatorTest {
    @Test
    void invalidRowsAreDroppedBeforeAnythingReadsThem() {
        // rows 1 and 3 are garbage (NaN, a wrong length) but marked invalid: the median of 0, 1, 3 is 1
        float[][] rows = {row(0), row(Float.NaN), row(1), new float[7], row(3)};
        RobustAggregator a = new RobustAggregator(5, 1, List.of(), new CoordinateMedian(5, 1));
        float[] out = new float[1];
        a.aggregate(rows, new boolean[] {true, false, true, false, true}, out);
        assertEquals(1f, out[0]);
    }

    @Test
    void fStaysAsConfiguredWhenRowsAreMissing() {
        // trimmed mean f = 1 sized for 5 rows: with 3 valid rows 2f < 3 still holds ...
        RobustAggregator a = new RobustAggregator(5, 1, List.of(), new TrimmedMean(5, 1, 1));
        float[] out = new float[1];
        a.aggregate(column(0, 100, 5, -100, 7), new boolean[] {true, false, true, false, true}, out);
        assertEquals(5f, out[0]);
        // ... with 2 it does not: a documented refusal, not f silently lowered to 0
        AggregationException e = assertThrows(AggregationException.class,
                () -> a.aggregate(column(0, 100, 5, -100, 7), new boolean[] {true, false, true, false, false}, out));
        assertTrue(e.getMessage().contains("f = 1") && e.getMessage().contains("n = 2"), e.getMessage());
        assertThrows(AggregationException.class, () -> a.aggregate(column(0, 1, 2, 3, 4), new boolean[5], out));
    }

    @Test
    void krumsSelectionIsReportedInTheCallersRowIndices() {
        // the Krum case of RulesTest (0, 1, 2, 3, 10) with an invalid row inserted at index 1
        float[][] rows = column(0, 99, 1, 2, 3, 10);
        RobustAggregator a = new RobustAggregator(6, 1, List.of(), Krum.multiKrum(6, 1, 1, Krum.M_DEFAULT));
        float[] out = new float[1];
        a.aggregate(rows, new boolean[] {true, false, true, true, true, true}, out);
        // valid rows 0, 1, 2, 3, 10 select (by score) 1, 2, 0, 3, which are caller rows 2, 3, 0, 4
        assertArrayEquals(new int[] {2, 3, 0, 4}, a.selectedRows());
        assertEquals(1.5f, out[0]);
    }

    @Test
    void bucketingPermutesCallerRowsAndSkipsInvalidOnes() {
        // rows 0, 1, 4, 9, 16 with row 3 invalid; permutation [4, 0, 3, 1, 2] -> Y = 16, 0, 1, 4
        // s = 2: buckets 8 and 2.5; median of two = 5.25
        Bucketing b = new Bucketing(5, 1, 2);
        System.arraycopy(new int[] {4, 0, 3, 1, 2}, 0, b.permutation(), 0, 5);
        RobustAggregator a = new RobustAggregator(5, 1, List.of(b), new CoordinateMedian(5, 1));
        float[] out = new float[1];
        a.aggregate(column(0, 1, 4, 9, 16), new boolean[] {true, true, true, false, true}, out);
        assertEquals(5.25f, out[0]);
    }

    @Test
    void aCallAllocatesNothing() {
        int n = 9, d = 64;
        java.util.Random r = new java.util.Random(1);
        float[][] rows = new float[n][d];
        for (float[] row : rows) for (int j = 0; j < d; j++) row[j] = (float) r.nextGaussian();
        boolean[] valid = Rows.allValid(n);
        valid[4] = false;
        float[] out = new float[d];
        List<RobustAggregator> pipelines = List.of(
                new RobustAggregator(n, d, List.of(), new Mean(n, d)),
                new RobustAggregator(n, d, List.of(), new CoordinateMedian(n, d)),
                new RobustAggregator(n, d, List.of(), new TrimmedMean(n, d, 2)),
                new RobustAggregator(n, d, List.of(), Krum.multiKrum(n, d, 2, Krum.M_DEFAULT)),
                new RobustAggregator(n, d, List.of(), new GeometricMedian(n, d, 3, 0.1)),
                new RobustAggregator(n, d, List.of(new NearestNeighborMixing(n, d, 2), new Bucketing(n, d, 2)),
                        new CenteredClipping(n, d, 1, 3)));
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (RobustAggregator a : pipelines) {
            for (int i = 0; i < 2000; i++) a.aggregate(rows, valid, out); // let the JIT settle
            long before = bean.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1000; i++) a.aggregate(rows, valid, out);
            long allocated = bean.getCurrentThreadAllocatedBytes() - before;
            // a single per-call allocation would be at least 16 bytes × 1000 calls
            assertTrue(allocated < 1000, a.rule().name() + " allocated " + allocated + " bytes in 1000 calls");
        }
    }
}
