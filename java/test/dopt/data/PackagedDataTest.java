package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The data sets Debian packages ship (./dopt test installs them). */
class PackagedDataTest {

    @Test
    void fashionMnistIsTheFullSetOfClothes() throws Exception {
        Dataset[] d = DataSets.load("fashion-mnist", Path.of("."));
        assertEquals(60000, d[0].n());
        assertEquals(10000, d[1].n());
        assertEquals(784, d[0].dim());
        assertEquals(9, d[0].y()[0], "Fashion-MNIST train[0] is an ankle boot (class 9)");
        assertEquals(9, d[1].y()[0], "test[0] is an ankle boot too");
    }

    @Test
    void spambaseHas4601MailsSplit80To20() throws Exception {
        Dataset[] d = DataSets.load("spambase", Path.of("."));
        assertEquals(3680, d[0].n());
        assertEquals(921, d[1].n());
        assertEquals(57, d[0].dim());
        int spam = 0;
        for (int y : d[0].y()) spam += y;
        for (int y : d[1].y()) spam += y;
        assertEquals(1813, spam, "UCI documents 1813 spam of 4601");
        float max = 0;
        for (float v : d[0].x()) max = Math.max(max, v);
        assertTrue(max > 1000, "raw features keep their scales (capital run length totals reach thousands)");
    }

    @Test
    void standardizedSpambaseHasZeroMeanUnitVarianceOnTheTrainingSplit() throws Exception {
        Dataset train = DataSets.load("spambase-standardized", Path.of("."))[0];
        int d = train.dim();
        for (int j = 0; j < d; j += 7) {
            double m = 0, sq = 0;
            for (int i = 0; i < train.n(); i++) {
                m += train.x()[i * d + j];
                sq += train.x()[i * d + j] * train.x()[i * d + j];
            }
            m /= train.n();
            assertEquals(0, m, 1e-3, "feature " + j);
            assertEquals(1, sq / train.n() - m * m, 1e-2, "feature " + j);
        }
    }

    @Test
    void heartScaleIsRead() throws Exception {
        Dataset[] d = DataSets.load("heart-scale", Path.of("."));
        assertEquals(270, d[0].n() + d[1].n());
        assertEquals(13, d[0].dim());
        for (float v : d[0].x()) assertTrue(v >= -1 && v <= 1, "scaled to [-1, 1]");
    }

    @Test
    void libsvmLinesBecomeDenseRowsWithLabelsInValueOrder() throws Exception {
        Dataset d = LibsvmReader.parse(List.of("+1 1:0.5 3:2", "-1 2:-1", "", "+1 3:7"), "t");
        assertEquals(3, d.n());
        assertEquals(3, d.dim());
        assertArrayEquals(new float[] {0.5f, 0, 2, 0, -1, 0, 0, 0, 7}, d.x());
        assertArrayEquals(new int[] {1, 0, 1}, d.y());
        assertThrows(java.io.IOException.class, () -> LibsvmReader.parse(List.of("1 0:3"), "bad"));
    }

    @Test
    void splitsDoNotDependOnTheJob() throws Exception {
        assertArrayEquals(DataSets.load("spambase", Path.of("."))[1].y(), DataSets.load("spambase", Path.of("."))[1].y());
    }
}
