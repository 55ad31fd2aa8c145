package dopt.data;

import java.io.IOException;
import java.nio.file.Path;

/** The labelled data sets by the names job files use. */
public final class DataSets {
    private DataSets() { }

    public static final String[] NAMES = {"mnist-embedded", "mnist", "fashion-mnist", "spambase", "spambase-standardized", "spambase-rescaled", "heart-scale"};

    /** The train/test splits of the sets that ship without one are fixed, whatever the job's seed. */
    private static final long SPLIT_SEED = 0;

    /** {train, test}; a missing package is a {@link MissingDataException} naming the install command. */
    public static Dataset[] load(String name, Path repoRoot) throws IOException {
        long seed = SPLIT_SEED;
        return switch (name) {
            case "mnist-embedded" -> Mnist.embedded();
            case "mnist" -> Mnist.fromDirectory(Mnist.defaultFullDirectory(repoRoot));
            case "fashion-mnist" -> FashionMnist.load();
            case "spambase" -> Spambase.load(false, seed);
            case "spambase-standardized" -> Spambase.load(true, seed);
            case "spambase-rescaled" -> Spambase.rescaled(seed);
            case "heart-scale" -> HeartScale.load(seed);
            default -> throw new IllegalArgumentException("unknown data set '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }
}
