package dopt.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random n, d, f, stages and validity masks, with NaN, ±Inf and wrong-length rows marked invalid:
 * a call either gives a finite output or refuses with {@link AggregationException} exactly when
 * the documented conditions say so, and without bucketing the output does not depend on the order
 * of the rows.
 */
class AggregationFuzzTest {
    private static final int CASES = 3000;

    /** A pipeline and what it needs: the rule's f (−1 where it has none) and the stages' parameters. */
    private record Setup(RobustAggregator aggregator, String rule, int f, int m, int nnmF, int bucketS, boolean bucketFirst) { }

    @Test
    void randomCasesGiveAFiniteOutputOrADocumentedRefusal() {
        Random r = new Random(20240611);
        int refused = 0, checkedPermutation = 0;
        for (int c = 0; c < CASES; c++) {
            int n = 1 + r.nextInt(12), d = 1 + r.nextInt(5);
            Setup s = setup(r, n, d);
            float[][] rows = new float[n][];
            boolean[] valid = new boolean[n];
            fill(r, rows, valid, d);
            float[] out = new float[d];
            boolean expectRefusal = refuses(s, valid);
            String what = "case " + c + ": " + s.rule() + " f=" + s.f() + " m=" + s.m() + " nnm=" + s.nnmF() + " s=" + s.bucketS()
                    + " n=" + n + " valid=" + java.util.Arrays.toString(valid);
            try {
                s.aggregator().aggregate(rows, valid, out);
            } catch (AggregationException e) {
                assertTrue(expectRefusal, what + " refused: " + e.getMessage());
                refused++;
                continue;
            } catch (RuntimeException e) {
                fail(what + " threw " + e, e);
            }
            assertTrue(!expectRefusal, what + " should have been refused");
            for (int j = 0; j < d; j++) assertTrue(Float.isFinite(out[j]), what + " gave " + out[j] + " at " + j);
            if (s.bucketS() == 0 && !s.rule().equals("centered_clipping") && !(selectsByDistance(s) && (hasHugeRow(rows, valid) || hasCopies(rows, valid)))
                    && !oneNeighbour(s, valid) && !(s.rule().contains("krum") && s.nnmF() >= 0)) {
                assertPermutationInvariant(r, s, rows, valid, out, what);
                checkedPermutation++;
            }
        }
        // the generator must reach both outcomes and the invariance check, or the test proves little
        assertTrue(refused > CASES / 50 && refused < CASES / 2, "refused " + refused);
        assertTrue(checkedPermutation > CASES / 4, "permutation checks " + checkedPermutation);
    }

    /**
     * Krum and NNM break exact ties by row index, which is not permutation-invariant. Distinct rows
     * tie exactly when a 1e30 row makes distances of 1 vanish in sums of 1e60, or when copied rows
     * make the distances symmetric (two pairs of copies A, A, B, B: A and B score the same), and NNM
     * makes copies (two mutual nearest neighbours both become their mean) for a Krum after it. Such
     * cases are left out of the invariance check; they still must give a finite output.
     */
    private static boolean selectsByDistance(Setup s) {
        return s.rule().contains("krum") || s.nnmF() >= 0;
    }

    /** With n − f − 2 = 1 the two rows of the closest pair always tie (each is the other's nearest). */
    private static boolean oneNeighbour(Setup s, boolean[] valid) {
        int count = 0;
        for (boolean v : valid) if (v) count++;
        return s.rule().contains("krum") && count - s.f() - 2 == 1;
    }

    private static boolean hasCopies(float[][] rows, boolean[] valid) {
        for (int i = 0; i < rows.length; i++)
            for (int k = 0; k < i; k++)
                if (valid[i] && valid[k] && java.util.Arrays.equals(rows[i], rows[k])) return true;
        return false;
    }

    private static boolean hasHugeRow(float[][] rows, boolean[] valid) {
        for (int i = 0; i < rows.length; i++)
            if (valid[i]) for (float v : rows[i]) if (Math.abs(v) > 1e10) return true;
        return false;
    }

    private static Setup setup(Random r, int n, int d) {
        List<PreAggregator> pre = new ArrayList<>();
        int nnmF = -1, bucketS = 0;
        boolean nnm = r.nextInt(3) == 0, bucket = r.nextInt(3) == 0, bucketFirst = r.nextBoolean();
        if (nnm) nnmF = r.nextInt(n);
        if (bucket) bucketS = 1 + r.nextInt(Math.max(1, n / 2));
        if (nnm && !(bucket && bucketFirst)) pre.add(new NearestNeighborMixing(n, d, nnmF));
        Bucketing b = null;
        if (bucket) {
            b = new Bucketing(n, d, bucketS);
            int[] p = b.permutation();
            for (int i = n - 1; i > 0; i--) {
                int k = r.nextInt(i + 1), t = p[i];
                p[i] = p[k];
                p[k] = t;
            }
            pre.add(b);
        }
        if (nnm && bucket && bucketFirst) pre.add(new NearestNeighborMixing(n, d, nnmF));
        String[] rules = {"mean", "median", "trimmed_mean", "krum", "multi_krum", "geometric_median", "centered_clipping"};
        while (true) {
            String rule = rules[r.nextInt(rules.length)];
            Aggregator a;
            int f = -1, m = 0;
            switch (rule) {
                case "mean" -> a = new Mean(n, d);
                case "median" -> a = new CoordinateMedian(n, d);
                case "trimmed_mean" -> { f = r.nextInt((n - 1) / 2 + 1); a = new TrimmedMean(n, d, f); }
                case "krum", "multi_krum" -> {
                    if (n < 3) continue;
                    f = r.nextInt(n - 2);
                    m = rule.equals("krum") ? 1 : r.nextBoolean() ? Krum.M_DEFAULT : 1 + r.nextInt(n);
                    a = rule.equals("krum") ? Krum.krum(n, d, f) : Krum.multiKrum(n, d, f, m);
                }
                case "geometric_median" -> a = new GeometricMedian(n, d, r.nextInt(6), 1e-3 + r.nextDouble());
                default -> a = new CenteredClipping(n, d, 0.01 + 10 * r.nextDouble(), r.nextInt(4));
            }
            return new Setup(new RobustAggregator(n, d, pre, a), rule, f, m, nnmF, bucketS, bucketFirst);
        }
    }

    /** Valid rows: Gaussian, sometimes huge, sometimes a copy of another (ties); invalid rows: garbage. */
    private static void fill(Random r, float[][] rows, boolean[] valid, int d) {
        for (int i = 0; i < rows.length; i++) {
            valid[i] = r.nextInt(10) < 7;
            if (!valid[i]) {
                rows[i] = switch (r.nextInt(4)) {
                    case 0 -> constant(d, Float.NaN);
                    case 1 -> constant(d, Float.POSITIVE_INFINITY);
                    case 2 -> constant(d, Float.NEGATIVE_INFINITY);
                    default -> new float[r.nextInt(2 * d + 1)];
                };
                continue;
            }
            if (i > 0 && valid[i - 1] && r.nextInt(5) == 0) {
                rows[i] = rows[i - 1].clone();
                continue;
            }
            double scale = r.nextInt(10) == 0 ? 1e30 : 1;
            rows[i] = new float[d];
            for (int j = 0; j < d; j++) rows[i][j] = (float) (scale * r.nextGaussian());
        }
    }

    private static float[] constant(int d, float v) {
        float[] a = new float[d];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** The documented refusals, stage by stage, from the number of valid rows. */
    private static boolean refuses(Setup s, boolean[] valid) {
        int count = 0;
        for (boolean v : valid) if (v) count++;
        if (count == 0) return true;
        boolean nnmFirst = s.nnmF() >= 0 && !(s.bucketS() > 0 && s.bucketFirst());
        if (nnmFirst && s.nnmF() >= count) return true;
        if (s.bucketS() > 0) count = (count + s.bucketS() - 1) / s.bucketS();
        if (!nnmFirst && s.nnmF() >= 0 && s.nnmF() >= count) return true;
        return switch (s.rule()) {
            case "trimmed_mean" -> 2 * s.f() >= count;
            case "krum", "multi_krum" -> count - s.f() - 2 < 1 || s.m() > count;
            default -> false;
        };
    }

    private static void assertPermutationInvariant(Random r, Setup s, float[][] rows, boolean[] valid, float[] out, String what) {
        int n = rows.length;
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int k = r.nextInt(i + 1), t = p[i];
            p[i] = p[k];
            p[k] = t;
        }
        float[][] shuffled = new float[n][];
        boolean[] shuffledValid = new boolean[n];
        double scale = 1;
        for (int i = 0; i < n; i++) {
            shuffled[i] = rows[p[i]];
            shuffledValid[i] = valid[p[i]];
            if (valid[i]) for (float v : rows[i]) scale = Math.max(scale, Math.abs(v));
        }
        float[] again = new float[out.length];
        s.aggregator().aggregate(shuffled, shuffledValid, again);
        // the sums run in another order: equal up to rounding
        for (int j = 0; j < out.length; j++)
            assertEquals(out[j], again[j], 1e-5 * scale, what + " after shuffling, coordinate " + j + "; rows " + java.util.Arrays.deepToString(rows));
    }
}
