package dopt.data;

import dopt.random.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code heart_scale} (the Statlog heart disease data, 270 patients, 13 features scaled to [−1, 1]
 * by LIBSVM's authors), as Debian's {@code liblinear-tools} ships it. Split 80/20 by a seeded
 * permutation.
 */
public final class HeartScale {
    private HeartScale() { }

    public static final Path FILE = Path.of("/usr/share/doc/liblinear-tools/examples/heart_scale");

    public static Dataset[] load(long seed) throws IOException {
        if (!Files.isReadable(FILE))
            throw new MissingDataException("heart_scale file " + FILE + " is missing; install it with `./dopt setup --data heart-scale` (Debian package liblinear-tools)");
        Dataset all = LibsvmReader.parse(Files.readAllLines(FILE), "heart-scale");
        int n = all.n();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Rng.derive(seed, 0x4EA47).shuffle(perm);
        int nTrain = n * 4 / 5;
        return new Dataset[] {Spambase.subset("heart-scale-train", all.x(), all.y(), perm, 0, nTrain, all.dim()),
                Spambase.subset("heart-scale-test", all.x(), all.y(), perm, nTrain, n, all.dim())};
    }
}
