package dopt.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import dopt.tensor.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceClassifierTest {
    static final int PAD = TokenClassifier.PAD;

    /**
     * Tolerances and their reasons: {@link GradientCheck#check}. Row 1 is padded at its end and row 2 is all
     * padding (it pools to zero and its embedding gradient is nothing). 13 buckets for 1 + 2·… n-grams
     * make collisions certain, so shared rows are exercised too. Every coordinate is checked.
     */
    @Test
    void gradientsMatchCentralFiniteDifferencesForEveryParameter() {
        SequenceClassifier c = new SequenceClassifier(11, 3, 13, 6, 7, 3, 9, 3);
        c.init(new Rng(41));
        GradientCheck.randomize(c.params(), new Rng(42), 1.0);
        Rng rng = new Rng(43);
        int[] tokens = new int[3 * 9];
        for (int i = 0; i < 9; i++) tokens[i] = rng.nextInt(11);
        for (int i = 0; i < 6; i++) tokens[9 + i] = rng.nextInt(11);
        for (int i = 6; i < 9; i++) tokens[9 + i] = PAD;
        for (int i = 0; i < 9; i++) tokens[18 + i] = PAD;
        int[] labels = {2, 0, 1};
        float loss = c.forwardBackward(tokens, labels, 3, 9);
        assertTrue(loss > 0.3, "loss " + loss);
        int checked = GradientCheck.check(c.params(), () -> c.loss(tokens, labels, 3, 9), new Rng(44));
        assertEquals((11 + 13) * 6 + 7 * 6 + 7 + 3 * 7 + 3, checked);
    }

    @Test
    void parametersAreNamedAndRoled() {
        SequenceClassifier c = SequenceClassifier.bytes(2, 1024, 8);
        List<Param> ps = c.params();
        assertEquals("embedding.weight", ps.get(0).name());
        assertEquals(Param.Role.EMBEDDING, ps.get(0).role());
        assertArrayEquals(new int[] {256 + (1 << 14), 32}, ps.get(0).shape());
        assertEquals(Param.Role.MATRIX, ps.get(1).role());
        assertEquals(Param.Role.BIAS, ps.get(2).role());
        assertEquals(Param.Role.HEAD, ps.get(3).role());
        long n = 0;
        for (Param p : ps) n += p.size();
        assertEquals(534_722, n);
    }

    @Test
    void paddingIsIgnored() {
        SequenceClassifier c = new SequenceClassifier(11, 3, 13, 6, 7, 3, 8, 1);
        c.init(new Rng(7));
        int[] shortRow = {1, 2, 3, 4};
        int[] padded = {1, 2, 3, 4, PAD, PAD, PAD, PAD};
        float[] a = new float[3], b = new float[3];
        c.logits(shortRow, 1, 4, a);
        c.logits(padded, 1, 8, b);
        assertArrayEquals(a, b);
        assertThrows(IllegalArgumentException.class, () -> c.loss(new int[] {11, 0}, new int[] {0}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> c.loss(new int[18], new int[2], 2, 9));
    }

    /**
     * Synthetic: random strings over {1..5}, with "2 3" planted for class 1 and "3 2" for class 0,
     * so both classes hold the same letters and only their order tells them apart. A bag of single
     * tokens cannot separate them beyond chance on held-out rows; with bigrams plain SGD must
     * classify every held-out row.
     */
    @Test
    void bigramsSeparateWhatABagOfTokensCannot() {
        int seq = 12, n = 64;
        Rng rng = new Rng(50);
        int[][] x = new int[2][n * seq];
        int[][] y = new int[2][n];
        for (int set = 0; set < 2; set++) {
            for (int r = 0; r < n; r++) {
                int label = r % 2, len = 8 + rng.nextInt(seq - 8 + 1), at = rng.nextInt(len - 1);
                for (int t = 0; t < seq; t++) x[set][r * seq + t] = t < len ? 1 + rng.nextInt(5) : PAD;
                // no accidental copy of the other class's marker: 2 and 3 only where planted
                for (int t = 0; t < len; t++) if (x[set][r * seq + t] == 2 || x[set][r * seq + t] == 3) x[set][r * seq + t] = 1;
                x[set][r * seq + at] = label == 1 ? 2 : 3;
                x[set][r * seq + at + 1] = label == 1 ? 3 : 2;
                y[set][r] = label;
            }
        }
        double[] heldOut = new double[2];
        for (int ngrams = 1; ngrams <= 2; ngrams++) {
            SequenceClassifier c = new SequenceClassifier(6, ngrams, 64, 16, 16, 2, seq, n);
            c.init(new Rng(51));
            for (int step = 0; step < 300; step++) {
                c.forwardBackward(x[0], y[0], n, seq);
                for (Param p : c.params()) for (int j = 0; j < p.size(); j++) p.value()[j] -= 0.5f * p.grad()[j];
            }
            heldOut[ngrams - 1] = (double) c.countCorrect(x[1], y[1], n, seq) / n;
        }
        assertTrue(heldOut[0] < 0.75 && heldOut[1] == 1.0, "held-out accuracy: unigrams " + heldOut[0] + ", bigrams " + heldOut[1]);
    }
}
