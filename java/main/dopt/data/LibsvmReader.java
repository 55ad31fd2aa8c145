package dopt.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * LIBSVM's sparse text format ({@code label index:value ...}, 1-based indices; absent features are
 * 0) into a dense data set. Labels are mapped to 0..k−1 in increasing order of their value
 * ({-1, +1} → {0, 1}).
 */
public final class LibsvmReader {
    private LibsvmReader() { }

    public static Dataset parse(List<String> lines, String name) throws IOException {
        TreeSet<Double> labelSet = new TreeSet<>();
        int dim = 0, n = 0;
        for (String l : lines) {
            String t = l.trim();
            if (t.isEmpty()) continue;
            String[] f = t.split("\\s+");
            labelSet.add(Double.parseDouble(f[0]));
            for (int k = 1; k < f.length; k++) {
                int c = f[k].indexOf(':');
                if (c < 1) throw new IOException(name + " line " + (n + 1) + ": '" + f[k] + "' is not index:value");
                dim = Math.max(dim, Integer.parseInt(f[k].substring(0, c)));
            }
            n++;
        }
        List<Double> labels = new ArrayList<>(labelSet);
        float[] x = new float[n * dim];
        int[] y = new int[n];
        int r = 0;
        for (String l : lines) {
            String t = l.trim();
            if (t.isEmpty()) continue;
            String[] f = t.split("\\s+");
            y[r] = labels.indexOf(Double.parseDouble(f[0]));
            for (int k = 1; k < f.length; k++) {
                int c = f[k].indexOf(':');
                int idx = Integer.parseInt(f[k].substring(0, c));
                if (idx < 1) throw new IOException(name + " line " + (r + 1) + ": feature index " + idx + " (indices start at 1)");
                x[r * dim + idx - 1] = Float.parseFloat(f[k].substring(c + 1));
            }
            r++;
        }
        return new Dataset(name, x, y, n, dim, Math.max(2, labels.size()));
    }
}
