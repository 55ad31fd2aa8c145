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

    /** The text corpora for language models: "sotu" (byte tokens), "sotu-chars" (character tokens). */
    public static final String[] CORPORA = {"sotu", "sotu-chars"};

    /** A text corpus by name; a missing package is a {@link MissingDataException} naming the install command. */
    public static TextCorpus corpus(String name, Path repoRoot) throws IOException {
        return switch (name) {
            case "sotu" -> Sotu.load(Sotu.defaultDirectory(repoRoot), TextCorpus.Tokenization.BYTES);
            case "sotu-chars" -> Sotu.load(Sotu.defaultDirectory(repoRoot), TextCorpus.Tokenization.CHARS);
            default -> throw new IllegalArgumentException("unknown text corpus '" + name + "'; known: " + String.join(", ", CORPORA));
        };
    }

    /** The labelled text sets: "spam-assassin". */
    public static final String[] TEXT_SETS = {"spam-assassin"};

    /** {train, test} of a labelled text set; a missing package is a {@link MissingDataException} naming the install command. */
    public static LabelledTexts[] texts(String name, Path repoRoot) throws IOException {
        return switch (name) {
            case "spam-assassin" -> SpamAssassin.load(SpamAssassin.defaultDirectory(repoRoot), SPLIT_SEED);
            default -> throw new IllegalArgumentException("unknown text data set '" + name + "'; known: " + String.join(", ", TEXT_SETS));
        };
    }
}
