package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Each packaged data set read back against its raw file: counts, shapes, labels, the first record. */
class RawRecordsTest {
    private static final Path REPO = Path.of(".");

    @Test
    void fashionMnistFirstImageIsTheRawFilesBytes() throws Exception {
        Dataset[] d = DataSets.load("fashion-mnist", REPO);
        byte[] raw;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(FashionMnist.DIRECTORY.resolve("train-images-idx3-ubyte.gz")))) {
            raw = in.readNBytes(16 + 784);
        }
        for (int p = 0; p < 784; p++) assertEquals((raw[16 + p] & 0xFF) / 255f, d[0].x()[p], "pixel " + p);
        assertEquals(13 / 255f, d[0].x()[99], "a known pixel of the first ankle boot");
        assertEquals(10, d[0].classes());
        int[] counts = new int[10];
        for (int y : d[0].y()) counts[y]++;
        for (int c : counts) assertEquals(6000, c, "6 000 training images per class");
    }

    @Test
    void fullMnistStartsWithTheEmbeddedSlice() throws Exception {
        Dataset[] full = DataSets.load("mnist", REPO), slice = Mnist.embedded();
        assertEquals(60000, full[0].n());
        assertEquals(10000, full[1].n());
        assertArrayEquals(slice[0].y(), Arrays.copyOf(full[0].y(), 6000));
        assertArrayEquals(slice[1].x(), Arrays.copyOf(full[1].x(), 1000 * 784));
    }

    @Test
    void spambaseHoldsEveryRowOfTheCsvOnce() throws Exception {
        List<String> lines = Files.readAllLines(Spambase.FILE);
        assertEquals(4601, lines.size());
        assertTrue(lines.get(0).startsWith("0,0.64,0.64,0,0.32,0,"), "the raw file's first row");
        Map<String, Integer> rows = new HashMap<>();
        for (String l : lines) rows.merge(l.trim(), 1, Integer::sum);
        Dataset[] d = DataSets.load("spambase", REPO);
        for (Dataset s : d) {
            assertEquals(57, s.dim());
            for (int i = 0; i < s.n(); i++) {
                StringBuilder b = new StringBuilder();
                for (int j = 0; j < 57; j++) b.append(format(s.x()[i * 57 + j])).append(',');
                String key = b.append(s.y()[i]).toString();
                Integer left = rows.get(key);
                assertTrue(left != null && left > 0, "row " + i + " of " + s.name() + " is not a row of the file: " + key);
                rows.put(key, left - 1);
            }
        }
        for (int v : rows.values()) assertEquals(0, v, "every file row is in train or test");
    }

    /** A float as the CSV writes it ("0", "0.64", "278"). */
    private static String format(float v) {
        if (v == Math.rint(v)) return Long.toString((long) v);
        return new java.math.BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    @Test
    void heartScaleFirstRowAndLabelMapping() throws Exception {
        LibsvmReader.Parsed p = LibsvmReader.read(Files.readAllLines(HeartScale.FILE), "heart_scale");
        Dataset all = p.data();
        assertEquals(270, all.n());
        assertEquals(13, all.dim());
        assertArrayEquals(new double[] {-1, 1}, p.labelValues());
        // +1 1:0.708333 2:1 3:1 4:-0.320755 5:-0.105023 6:-1 7:1 8:-0.419847 9:-1 10:-0.225806 12:1 13:-1
        assertArrayEquals(new float[] {0.708333f, 1, 1, -0.320755f, -0.105023f, -1, 1, -0.419847f, -1, -0.225806f, 0, 1, -1},
                Arrays.copyOf(all.x(), 13));
        assertEquals(1, all.y()[0]);
        int pos = 0;
        for (int y : all.y()) pos += y;
        assertEquals(120, pos, "120 of 270 patients have heart disease (+1)");
        Dataset[] split = DataSets.load("heart-scale", REPO);
        assertEquals(216, split[0].n());
        assertEquals(54, split[1].n());
    }

    @Test
    void libsvmKeepsTheLabelMappingAndNamesTheBadLine() throws Exception {
        LibsvmReader.Parsed p = LibsvmReader.read(List.of("3 2:1.5 4:-2", "1 1:7", "2.5 4:0.25"), "t");
        assertArrayEquals(new double[] {1, 2.5, 3}, p.labelValues());
        assertArrayEquals(new int[] {2, 0, 1}, p.data().y());
        assertEquals(3, p.data().classes());
        assertEquals(4, p.data().dim());
        assertArrayEquals(new float[] {0, 1.5f, 0, -2, 7, 0, 0, 0, 0, 0, 0, 0.25f}, p.data().x());
        IOException e = assertThrows(IOException.class, () -> LibsvmReader.read(List.of("1 1:2", "", "1 x:3"), "bad"));
        assertTrue(e.getMessage().contains("bad line 3"), e.getMessage());
        e = assertThrows(IOException.class, () -> LibsvmReader.read(List.of("+1 2:abc"), "bad"));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("abc"), e.getMessage());
    }

    @Test
    void seededSplitsAreReproducibleAndDifferWithTheSeed() throws Exception {
        Dataset[] a = HeartScale.load(1), b = HeartScale.load(1), c = HeartScale.load(2);
        assertArrayEquals(a[0].x(), b[0].x());
        assertFalse(Arrays.equals(a[0].x(), c[0].x()));
        Dataset[] s = Spambase.load(false, 1), t = Spambase.load(false, 1), u = Spambase.load(false, 2);
        assertArrayEquals(s[1].x(), t[1].x());
        assertFalse(Arrays.equals(s[1].x(), u[1].x()));
    }
}
