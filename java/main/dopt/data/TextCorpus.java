package dopt.data;

import java.nio.charset.StandardCharsets;

/**
 * A text corpus for language-model training, tokenized and split by document into a training and a
 * validation part. Tokens are stored one per byte and read as {@code tokens[i] & 0xFF}, so the
 * vocabulary has at most 256 entries: with {@link Tokenization#BYTES} token t is the UTF-8 byte t
 * ({@code vocabSize} 256); with {@link Tokenization#CHARS} token t is the Unicode code point
 * {@code alphabet[t]} (the corpus's distinct characters in increasing order).
 *
 * @param alphabet what each token stands for: the byte value (BYTES) or the code point (CHARS)
 */
public record TextCorpus(String name, Tokenization tokenization, int vocabSize, int[] alphabet, Part train, Part validation) {

    public enum Tokenization { BYTES, CHARS }

    public TextCorpus {
        if (alphabet.length != vocabSize || vocabSize > 256) throw new IllegalArgumentException("inconsistent vocabulary of " + name);
    }

    /**
     * One part of the corpus: its documents' tokens back to back, document d occupying
     * {@code tokens[start[d] .. start[d+1])} ({@code start} has one more entry than there are
     * documents). Per document: an identifier, the year, the speaker or author, and the source label
     * used for "by source" sharding ({@link Sharding#shardBySource}).
     */
    public record Part(byte[] tokens, int[] start, String[] id, int[] year, String[] speaker, int[] source) {
        public Part {
            int d = id.length;
            if (start.length != d + 1 || year.length != d || speaker.length != d || source.length != d
                    || start[0] != 0 || start[d] != tokens.length)
                throw new IllegalArgumentException("inconsistent corpus part");
            for (int i = 0; i < d; i++) if (start[i + 1] < start[i]) throw new IllegalArgumentException("document " + id[i] + " ends before it starts");
        }

        public int documents() { return id.length; }

        public int length(int doc) { return start[doc + 1] - start[doc]; }

        /** Tokens per document, for weighting documents when balancing shards. */
        public long[] lengths() {
            long[] l = new long[documents()];
            for (int d = 0; d < l.length; d++) l[d] = length(d);
            return l;
        }

        /** The documents {@code docs} of this part, in that order, as a part of their own. */
        public Part select(int[] docs) {
            int total = 0;
            for (int d : docs) total += length(d);
            byte[] t = new byte[total];
            int[] st = new int[docs.length + 1], yr = new int[docs.length], src = new int[docs.length];
            String[] ids = new String[docs.length], sp = new String[docs.length];
            for (int i = 0; i < docs.length; i++) {
                int d = docs[i];
                System.arraycopy(tokens, start[d], t, st[i], length(d));
                st[i + 1] = st[i] + length(d);
                ids[i] = id[d];
                yr[i] = year[d];
                sp[i] = speaker[d];
                src[i] = source[d];
            }
            return new Part(t, st, ids, yr, sp, src);
        }

        /** Each document's speaker as a number 0..k−1, in order of first appearance (one source per speaker). */
        public int[] speakerIds() {
            java.util.Map<String, Integer> ids = new java.util.HashMap<>();
            int[] out = new int[documents()];
            for (int d = 0; d < out.length; d++) out[d] = ids.computeIfAbsent(speaker[d], k -> ids.size());
            return out;
        }
    }

    /**
     * The validation part alone, split by document: every fourth document from the second
     * ({@code d % 4 == 1}) validates, the others train. For State of the Union this is the
     * fine-tuning task of {@code LoraSbExperiment}: its test addresses validate, its fine-tuning
     * training and learning-rate addresses train.
     */
    public TextCorpus recent() {
        int n = validation.documents();
        int[] tr = new int[n - (n + 2) / 4], va = new int[(n + 2) / 4];
        for (int d = 0, i = 0, j = 0; d < n; d++) {
            if (d % 4 == 1) va[j++] = d;
            else tr[i++] = d;
        }
        return new TextCorpus(name + "-recent", tokenization, vocabSize, alphabet, validation.select(tr), validation.select(va));
    }

    /**
     * The unigram baseline: the cross-entropy (nats per token) of the validation tokens under the
     * training part's token frequencies with add-one (Laplace) smoothing over the vocabulary, so
     * that a token unseen in training costs a finite amount. A language model that has learnt
     * anything beyond token frequencies has a validation loss well below this.
     */
    public double unigramValidationLoss() {
        long[] count = new long[vocabSize];
        for (byte t : train.tokens()) count[t & 0xFF]++;
        double total = train.tokens().length + (double) vocabSize, nll = 0;
        for (byte t : validation.tokens()) nll -= Math.log((count[t & 0xFF] + 1) / total);
        return nll / validation.tokens().length;
    }

    /** The text that tokens {@code [from, to)} of {@code tokens} stand for (for printing samples). */
    public String decode(byte[] tokens, int from, int to) {
        if (tokenization == Tokenization.BYTES) return new String(tokens, from, to - from, StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(to - from);
        for (int i = from; i < to; i++) b.appendCodePoint(alphabet[tokens[i] & 0xFF]);
        return b.toString();
    }

    /** {@link #decode(byte[], int, int)} for token ids as an LM produces them. */
    public String decode(int[] tokens, int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = from; i < to; i++) b[i - from] = (byte) tokens[i];
        return decode(b, 0, b.length);
    }
}
