package dopt.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class RopeTest {
    static final int HEAD = 8, HEADS = 3, SEQ = 40;

    static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    /** A rotation preserves the norm of every rotated pair, hence of every head's vector. */
    @Test
    void rotationPreservesTheNormOfEveryPairAndInverseUndoesIt() {
        Rope rope = new Rope(HEAD, SEQ);
        int rows = 2 * SEQ, width = HEADS * HEAD;
        float[] x = random(new Rng(1), rows * width), y = x.clone();
        rope.rotate(y, rows, SEQ, HEADS, false);
        for (int i = 0; i < x.length; i += 2) {
            double before = Math.hypot(x[i], x[i + 1]), after = Math.hypot(y[i], y[i + 1]);
            // float rounding of a 2×2 rotation: a few units of 6e-8 relative
            assertEquals(before, after, 1e-6 * (1 + before), "pair " + i);
        }
        rope.rotate(y, rows, SEQ, HEADS, true);
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-5f, "coordinate " + i);
    }

    /** Position 0 is not rotated; RoFormer's defining property: ⟨R_m q, R_n k⟩ depends on m − n only. */
    @Test
    void scoresDependOnlyOnTheRelativePosition() {
        Rope rope = new Rope(HEAD, SEQ);
        Rng rng = new Rng(2);
        float[] q = random(rng, HEAD), k = random(rng, HEAD);
        float[] atZero = q.clone();
        rope.rotate(atZero, 1, SEQ, 1, false);
        for (int i = 0; i < HEAD; i++) assertEquals(q[i], atZero[i]);
        int offset = 3;
        double reference = Double.NaN;
        for (int m = offset; m < SEQ; m += 5) {
            float[] qs = new float[SEQ * HEAD], ks = new float[SEQ * HEAD];
            System.arraycopy(q, 0, qs, m * HEAD, HEAD);
            System.arraycopy(k, 0, ks, (m - offset) * HEAD, HEAD);
            rope.rotate(qs, SEQ, SEQ, 1, false);
            rope.rotate(ks, SEQ, SEQ, 1, false);
            double dot = 0;
            for (int c = 0; c < HEAD; c++) dot += (double) qs[m * HEAD + c] * ks[(m - offset) * HEAD + c];
            if (Double.isNaN(reference)) reference = dot;
            else assertEquals(reference, dot, 1e-5 * (1 + Math.abs(reference)), "m = " + m);
        }
    }

    /** Pair i at position t turns by t·10000^(−2i/d): check one angle by hand. */
    @Test
    void anglesFollowTheRoformerFrequencies() {
        Rope rope = new Rope(4, 8);
        float[] x = new float[8 * 4];
        x[5 * 4 + 2] = 1;   // position 5, pair 1: θ₁ = 10000^(−2/4) = 0.01
        rope.rotate(x, 8, 8, 1, false);
        assertEquals(Math.cos(0.05), x[5 * 4 + 2], 1e-6);
        assertEquals(Math.sin(0.05), x[5 * 4 + 3], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new Rope(5, 8));
        assertThrows(IllegalArgumentException.class, () -> rope.rotate(x, 9, 9, 1, false));
    }
}
