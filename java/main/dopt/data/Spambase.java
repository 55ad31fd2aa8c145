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

    /**
     * Standardized Spambase with every feature then multiplied by its own factor 10^u, u uniform in
     * [−2, 2] from a fixed seed: the same problem in badly scaled coordinates, for testing the
     * scale invariance of an optimizer (KATE's claim).
     */
    public static Dataset[] rescaled(long seed) throws IOException {
        Dataset[] d = load(true, seed);
        Rng rng = Rng.derive(seed, 0x5CA1E);
        int dim = d[0].dim();
        float[] factor = new float[dim];
        for (int j = 0; j < dim; j++) factor[j] = (float) Math.pow(10, 4 * rng.nextDouble() - 2);
        Dataset[] out = new Dataset[2];
        for (int k = 0; k < 2; k++) {
            float[] x = d[k].x();
            for (int i = 0; i < d[k].n(); i++) for (int j = 0; j < dim; j++) x[i * dim + j] *= factor[j];
            out[k] = new Dataset(d[k].name().replace("standardized", "rescaled"), x, d[k].y(), d[k].n(), dim, 2);
        }
        return out;
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
