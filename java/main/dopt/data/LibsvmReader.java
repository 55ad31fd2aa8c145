package dopt.data;

import java.io.IOException;
import java.util.List;
import java.util.TreeSet;

/**
 * LIBSVM's sparse text format ({@code label index:value ...}, 1-based indices; absent features are
 * 0; Chang and Lin, "LIBSVM: a library for support vector machines", 2011) into a dense data set.
 * Labels are mapped to 0..k−1 in increasing order of their value ({-1, +1} → {0, 1}); the mapping is
 * kept in {@link Parsed#labelValues()}. The dimension is the largest index present.
 */
public final class LibsvmReader {
    private LibsvmReader() { }

    /** The dense data set and the label value of each class: class c stands for {@code labelValues[c]}. */
    public record Parsed(Dataset data, double[] labelValues) { }

    /** The dense data set (classes in increasing order of the label values). */
    public static Dataset parse(List<String> lines, String name) throws IOException {
        return read(lines, name).data();
    }

    /** The dense data set and the label mapping; errors name the line (1-based, blank lines counted). */
    public static Parsed read(List<String> lines, String name) throws IOException {
        TreeSet<Double> labelSet = new TreeSet<>();
        int dim = 0, n = 0;
        for (int ln = 0; ln < lines.size(); ln++) {
            String t = lines.get(ln).trim();
            if (t.isEmpty()) continue;
            String[] f = t.split("\\s+");
            labelSet.add(number(f[0], name, ln));
            for (int k = 1; k < f.length; k++) dim = Math.max(dim, index(f[k], name, ln));
            n++;
        }
        double[] values = new double[labelSet.size()];
        int c = 0;
        for (double v : labelSet) values[c++] = v;
        float[] x = new float[Math.multiplyExact(n, dim)];
        int[] y = new int[n];
        int r = 0;
        for (int ln = 0; ln < lines.size(); ln++) {
            String t = lines.get(ln).trim();
            if (t.isEmpty()) continue;
            String[] f = t.split("\\s+");
            y[r] = java.util.Arrays.binarySearch(values, number(f[0], name, ln));
            for (int k = 1; k < f.length; k++) {
                int idx = index(f[k], name, ln);
                x[r * dim + idx - 1] = value(f[k].substring(f[k].indexOf(':') + 1), name, ln);
            }
            r++;
        }
        return new Parsed(new Dataset(name, x, y, n, dim, Math.max(2, values.length)), values);
    }

    private static int index(String pair, String name, int line) throws IOException {
        int c = pair.indexOf(':');
        if (c < 1) throw new IOException(name + " line " + (line + 1) + ": '" + pair + "' is not index:value");
        int idx;
        try {
            idx = Integer.parseInt(pair.substring(0, c));
        } catch (NumberFormatException e) {
            throw new IOException(name + " line " + (line + 1) + ": '" + pair + "' has no integer index");
        }
        if (idx < 1) throw new IOException(name + " line " + (line + 1) + ": feature index " + idx + " (indices start at 1)");
        return idx;
    }

    private static float value(String s, String name, int line) throws IOException {
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new IOException(name + " line " + (line + 1) + ": '" + s + "' is not a number");
        }
    }

    private static double number(String s, String name, int line) throws IOException {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(name + " line " + (line + 1) + ": '" + s + "' is not a number");
        }
    }
}
