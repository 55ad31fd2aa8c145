package dopt.data;

import dopt.random.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * UCI Spambase (Hopkins, Reeber, Forman and Suermondt 1999): 4 601 e-mails, 57 word/character
 * frequency and capital-run features, label 1 = spam; the CSV shipped in Debian's {@code deap-doc}.
 * Split 80/20 by a permutation from the seed (not stratified). {@code standardize} scales each
 * feature to zero mean and unit variance with statistics of the training split only; the raw
 * features differ in scale by four orders of magnitude, which is what KATE's scale-invariance
 * experiment is about.
 */
public final class Spambase {
    private Spambase() { }

    public static final Path FILE = Path.of("/usr/share/doc/deap-doc/examples/gp/spambase.csv");

    public static Dataset[] load(boolean standardize, long seed) throws IOException {
        if (!Files.isReadable(FILE))
            throw new MissingDataException("Spambase file " + FILE + " is missing; install it with `./dopt setup --data spambase` (Debian package deap-doc)");
        List<String> lines = Files.readAllLines(FILE);
        int n = 0;
        for (String l : lines) if (!l.isBlank()) n++;
        int dim = 57;
        float[] x = new float[n * dim];
        int[] y = new int[n];
        int r = 0;
        for (String l : lines) {
            if (l.isBlank()) continue;
            String[] f = l.split(",");
            if (f.length != dim + 1) throw new IOException(FILE + " line " + (r + 1) + ": expected " + (dim + 1) + " fields, found " + f.length);
            for (int j = 0; j < dim; j++) x[r * dim + j] = Float.parseFloat(f[j]);
            y[r] = Integer.parseInt(f[dim].trim());
            r++;
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Rng.derive(seed, 0x5BA5E).shuffle(perm);
        int nTrain = n * 4 / 5;
        String name = standardize ? "spambase-standardized" : "spambase";
        Dataset train = subset(name + "-train", x, y, perm, 0, nTrain, dim);
        Dataset test = subset(name + "-test", x, y, perm, nTrain, n, dim);
        if (standardize) Standardize.fitApply(train, test);
        return new Dataset[] {train, test};
    }

    static Dataset subset(String name, float[] x, int[] y, int[] perm, int from, int to, int dim) {
        int m = to - from;
        float[] xs = new float[m * dim];
        int[] ys = new int[m];
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, perm[from + i] * dim, xs, i * dim, dim);
            ys[i] = y[perm[from + i]];
        }
        return new Dataset(name, xs, ys, m, dim, 2);
    }
}
