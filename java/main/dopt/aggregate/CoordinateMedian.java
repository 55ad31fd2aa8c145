package dopt.aggregate;

import java.util.Arrays;

/**
 * The coordinate-wise median; for an even count the average of the two middle values, as
 * {@code numpy.median} gives (aggregation.md "median"; E {@code coordinatewise_median.py}, B
 * {@code Median}), not torch.median's lower middle value.
 */
public final class CoordinateMedian implements Aggregator {
    private final int maxRows, d;
    private final float[] column;

    public CoordinateMedian(int maxRows, int d) {
        RowMath.checkShape("median", maxRows, d);
        this.maxRows = maxRows;
        this.d = d;
        this.column = new float[maxRows];
    }

    @Override public String name() { return "median"; }
    @Override public int maxRows() { return maxRows; }
    @Override public int dim() { return d; }

    @Override
    public void aggregate(float[][] rows, int count, float[] out) {
        RowMath.checkCount("median", count, maxRows);
        int mid = count / 2;
        for (int j = 0; j < d; j++) {
            for (int i = 0; i < count; i++) column[i] = rows[i][j];
            // Arrays.sort on a range this short sorts in place without a merge buffer
            Arrays.sort(column, 0, count);
            out[j] = (count & 1) == 1 ? column[mid] : (float) (((double) column[mid - 1] + column[mid]) / 2);
        }
    }
}
