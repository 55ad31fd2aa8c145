package dopt.nn;

/**
 * The batches a {@link Network} reads: views of arrays that a loader fills in place, so one
 * instance per loader serves every step.
 */
public final class Batch {
    private Batch() { }

    /** {@code size} rows of {@code x} (row-major, the model's input size each) with labels {@code y}. */
    public record Examples(float[] x, int[] y, int size) { }

    /**
     * {@code size} rows of {@code seqLen + 1} token ids each: position t is predicted from positions
     * 0..t of its row, its target is position t + 1 (see {@link TokenModel}).
     */
    public record Windows(int[] tokens, int size, int seqLen) { }

    /** {@code size} rows of {@code seqLen} token ids (padded with {@link TokenClassifier#PAD}) and their labels. */
    public record Texts(int[] tokens, int[] labels, int size, int seqLen) { }
}
