package dopt.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

/**
 * The convolution and pooling kernels against naive loops written from the definitions, in
 * double, on odd sizes, strides that do not divide the image, padding wider than one pixel and
 * overlapping pooling windows. Tolerance 1e-5·(terms summed): float rounding of a sum of that many
 * O(1) products; an indexing mistake is off by O(1).
 */
class ConvTest {
    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    /** {c, n, h, w, k, stride, pad}: odd sizes, stride 1–3, padding 0–2, 1×1 to 5×5 windows. */
    private static final int[][] SHAPES = {
            {3, 2, 7, 5, 3, 1, 1}, {2, 3, 9, 8, 3, 2, 1}, {1, 1, 5, 5, 1, 2, 0}, {2, 2, 6, 7, 5, 3, 2},
            {4, 1, 4, 3, 2, 1, 0}, {1, 3, 11, 13, 3, 2, 0}, {2, 1, 3, 3, 3, 1, 2}};

    /** Element (ci, b, y, x) of a channel-major tensor, 0 outside the image (the zero padding). */
    private static double at(float[] x, int c, int n, int h, int w, int ci, int b, int y, int xx) {
        if (y < 0 || y >= h || xx < 0 || xx >= w) return 0;
        return x[((ci * n + b) * h + y) * w + xx];
    }

    @Test
    void im2colTimesWeightsIsTheNaiveConvolution() {
        Rng rng = new Rng(1);
        int cout = 4;
        for (int[] s : SHAPES) {
            int c = s[0], n = s[1], h = s[2], w = s[3], k = s[4], st = s[5], p = s[6];
            int oh = Conv.outSize(h, k, st, p), ow = Conv.outSize(w, k, st, p);
            float[] x = random(rng, c * n * h * w), wt = random(rng, cout * c * k * k);
            float[] cols = new float[c * k * k * n * oh * ow], y = new float[cout * n * oh * ow];
            java.util.Arrays.fill(cols, Float.NaN); // every entry must be written, padding included
            Conv.im2col(x, c, n, h, w, k, st, p, cols);
            Dense.matmul(wt, cols, y, cout, c * k * k, n * oh * ow);
            for (int co = 0; co < cout; co++)
                for (int b = 0; b < n; b++)
                    for (int oy = 0; oy < oh; oy++)
                        for (int ox = 0; ox < ow; ox++) {
                            double sum = 0;
                            for (int ci = 0; ci < c; ci++)
                                for (int ky = 0; ky < k; ky++)
                                    for (int kx = 0; kx < k; kx++)
                                        sum += wt[((co * c + ci) * k + ky) * k + kx]
                                                * at(x, c, n, h, w, ci, b, oy * st - p + ky, ox * st - p + kx);
                            assertEquals(sum, y[((co * n + b) * oh + oy) * ow + ox], 1e-5 * c * k * k,
                                    java.util.Arrays.toString(s) + " out " + co + "," + b + "," + oy + "," + ox);
                        }
        }
    }

    /** col2im must be the adjoint of im2col (⟨im2col x, C⟩ = ⟨x, col2im C⟩) and must add, not overwrite. */
    @Test
    void col2imIsTheAdjointOfIm2colAndAccumulates() {
        Rng rng = new Rng(2);
        for (int[] s : SHAPES) {
            int c = s[0], n = s[1], h = s[2], w = s[3], k = s[4], st = s[5], p = s[6];
            int oh = Conv.outSize(h, k, st, p), ow = Conv.outSize(w, k, st, p), len = c * k * k * n * oh * ow;
            float[] x = random(rng, c * n * h * w), cmat = random(rng, len), cols = new float[len];
            Conv.im2col(x, c, n, h, w, k, st, p, cols);
            double lhs = 0;
            for (int i = 0; i < len; i++) lhs += (double) cols[i] * cmat[i];
            float[] base = random(rng, x.length), back = base.clone();
            Conv.col2im(cmat, c, n, h, w, k, st, p, back);
            double rhs = 0;
            for (int i = 0; i < x.length; i++) rhs += (double) x[i] * (back[i] - base[i]);
            assertEquals(lhs, rhs, 1e-4 * Math.sqrt(len), java.util.Arrays.toString(s));
            // and entry by entry: the gradient of pixel (ci,b,y,x) sums the taps that read it
            for (int ci = 0; ci < c; ci++)
                for (int b = 0; b < n; b++)
                    for (int y = 0; y < h; y++)
                        for (int xx = 0; xx < w; xx++) {
                            double g = 0;
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++)
                                    for (int oy = 0; oy < oh; oy++)
                                        for (int ox = 0; ox < ow; ox++)
                                            if (oy * st - p + ky == y && ox * st - p + kx == xx)
                                                g += cmat[((ci * k + ky) * k + kx) * n * oh * ow + (b * oh + oy) * ow + ox];
                            int i = ((ci * n + b) * h + y) * w + xx;
                            assertEquals(base[i] + g, back[i], 1e-5 * k * k, java.util.Arrays.toString(s));
                        }
        }
    }

    /** {planes, h, w, k, stride}: odd sizes (floor mode drops the last row/column), overlapping windows. */
    private static final int[][] POOLS = {{3, 7, 5, 2, 2}, {2, 6, 6, 2, 2}, {2, 9, 7, 3, 2}, {1, 5, 5, 3, 1}, {4, 4, 6, 1, 1}};

    @Test
    void maxPoolPicksTheWindowMaximumAndRoutesItsGradientThere() {
        Rng rng = new Rng(3);
        for (int[] s : POOLS) {
            int planes = s[0], h = s[1], w = s[2], k = s[3], st = s[4];
            int oh = Conv.outSize(h, k, st, 0), ow = Conv.outSize(w, k, st, 0);
            float[] x = random(rng, planes * h * w), y = new float[planes * oh * ow], dy = random(rng, y.length);
            int[] arg = new int[y.length];
            Conv.maxPool(x, planes, h, w, k, st, y, arg);
            float[] dx = random(rng, x.length); // garbage: the backward pass must overwrite it
            Conv.maxPoolBackward(dy, arg, planes, h, w, k, st, dx);
            double[] naiveDx = new double[x.length];
            for (int pl = 0; pl < planes; pl++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        int best = -1;
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++) {
                                int i = (pl * h + oy * st + ky) * w + ox * st + kx;
                                if (best < 0 || x[i] > x[best]) best = i;
                            }
                        int o = (pl * oh + oy) * ow + ox;
                        assertEquals(x[best], y[o], 0f);
                        assertEquals(best, arg[o]);
                        naiveDx[best] += dy[o];
                    }
            for (int i = 0; i < x.length; i++) assertEquals(naiveDx[i], dx[i], 1e-5 * k * k);
        }
    }

    @Test
    void maxPoolTakesTheFirstOfTiedMaxima() {
        float[] x = {1, 1, 0, 1}, y = new float[1];
        int[] arg = new int[1];
        Conv.maxPool(x, 1, 2, 2, 2, 2, y, arg);
        assertEquals(0, arg[0]);
    }

    @Test
    void avgPoolAveragesEachWindowAndSpreadsItsGradientEvenly() {
        Rng rng = new Rng(4);
        for (int[] s : POOLS) {
            int planes = s[0], h = s[1], w = s[2], k = s[3], st = s[4];
            int oh = Conv.outSize(h, k, st, 0), ow = Conv.outSize(w, k, st, 0);
            float[] x = random(rng, planes * h * w), y = new float[planes * oh * ow], dy = random(rng, y.length);
            Conv.avgPool(x, planes, h, w, k, st, y);
            float[] dx = random(rng, x.length);
            Conv.avgPoolBackward(dy, planes, h, w, k, st, dx);
            double[] naiveDx = new double[x.length];
            for (int pl = 0; pl < planes; pl++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = 0;
                        int o = (pl * oh + oy) * ow + ox;
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++) {
                                int i = (pl * h + oy * st + ky) * w + ox * st + kx;
                                sum += x[i];
                                naiveDx[i] += dy[o] / (double) (k * k);
                            }
                        assertEquals(sum / (k * k), y[o], 1e-6 * k * k);
                    }
            for (int i = 0; i < x.length; i++) assertEquals(naiveDx[i], dx[i], 1e-6 * k * k);
        }
    }

    @Test
    void globalAveragePoolingTransposesToOneImagePerRow() {
        Rng rng = new Rng(5);
        int c = 3, n = 4, hw = 13;
        float[] x = random(rng, c * n * hw), y = new float[n * c], dy = random(rng, n * c), dx = new float[x.length];
        Conv.globalAvgPool(x, c, n, hw, y);
        Conv.globalAvgPoolBackward(dy, c, n, hw, dx);
        for (int ci = 0; ci < c; ci++)
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int i = 0; i < hw; i++) {
                    s += x[(ci * n + b) * hw + i];
                    assertEquals(dy[b * c + ci] / (double) hw, dx[(ci * n + b) * hw + i], 1e-7);
                }
                assertEquals(s / hw, y[b * c + ci], 1e-5);
            }
    }

    @Test
    void rowsOfImagesBecomeChannelMajor() {
        int n = 2, c = 3, hw = 2;
        float[] x = new float[(n + 1) * c * hw], y = new float[n * c * hw];
        for (int i = 0; i < x.length; i++) x[i] = i;
        Conv.toChannelMajor(x, 1, n, c, hw, y); // rows 1 and 2
        // row r, channel ci, pixel i = (r·c + ci)·hw + i  →  (ci·n + (r − 1))·hw + i
        assertArrayEquals(new float[] {6, 7, 12, 13, 8, 9, 14, 15, 10, 11, 16, 17}, y);
    }

    @Test
    void outputSizesFollowFloorModeAndRejectWindowsThatDoNotFit() {
        assertEquals(14, Conv.outSize(28, 3, 2, 1));
        assertEquals(4, Conv.outSize(7, 3, 2, 1));
        assertEquals(3, Conv.outSize(7, 2, 2, 0));
        assertEquals(1, Conv.outSize(1, 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.outSize(2, 5, 1, 1));
    }
}
