package dopt.compress;

import dopt.random.Rng;
import dopt.state.StateTree;
import java.util.List;

/**
 * PowerSGD (Vogels, Karimireddy and Jaggi 2019, Algorithm 1, with the error feedback of
 * Algorithm 2): every gradient matrix M (rows × cols) is replaced by a rank-r approximation
 * P̂Qᵀ found by one step of power iteration warm-started from the previous step's Q:
 * <pre>
 *   P ← M Q;  P ← mean over workers(P);  P̂ ← orthonormalise(P)   (Gram–Schmidt)
 *   Q ← Mᵀ P̂;  Q ← mean over workers(Q);  output P̂ Qᵀ, keep Q for the next step
 * </pre>
 * Because P and Q are linear in M, their means are the P and Q of the mean gradient, so workers
 * all-reduce P and Q (not compressed matrices). One-dimensional tensors (biases, norms) are sent
 * dense, as the paper does. With error feedback each worker compresses M = g + e and keeps
 * e ← M − P̂ Q_localᵀ, its local decompression (the reference code, {@code RankKReducer}); vectors
 * sent dense leave no error.
 *
 * <p>This is not a {@link Compressor}: a per-vector compressor's messages are averaged after
 * decoding, while PowerSGD needs an all-reduce between its two halves. The caller runs the
 * three phases around two all-reduces: {@link #project}, mean of the P buffer,
 * {@link #projectBack}, mean of the Q buffer, {@link #reconstruct}. The rank used for a matrix is
 * min(r, rows, cols) (as in the reference code). Wire: 4·(rows + cols)·r bytes per matrix and
 * 4 bytes per dense entry, one float32 per entry of the all-reduced buffers.
 *
 * <p>State: Q per matrix (identical on every worker, so it is kept once) and the worker's error;
 * both live in the {@link StateTree}, so a resumed run continues the power iteration bit for bit.
 */
public final class PowerSgd {
    /** Below this fraction of its norm before orthogonalisation a column of P is numerically in the span of the earlier ones. */
    private static final double DEPENDENT = 1e-4;

    /** A parameter's place in the flat gradient: a rows × cols matrix, or (cols == 0) a vector of {@code rows} entries sent dense. */
    public record Block(String name, int offset, int rows, int cols) {
        public Block {
            if (offset < 0 || rows < 1 || cols < 0) throw new IllegalArgumentException("bad PowerSGD block " + name + ": offset " + offset + ", " + rows + " x " + cols);
        }

        public static Block matrix(String name, int offset, int rows, int cols) { return new Block(name, offset, rows, cols); }

        public static Block vector(String name, int offset, int size) { return new Block(name, offset, size, 0); }

        public boolean isMatrix() { return cols > 0; }

        public int size() { return isMatrix() ? rows * cols : rows; }
    }

    private final Block[] blocks;
    private final int rank, n;
    private final boolean errorFeedback;
    /** Per block: its rank, and where its P (in the P buffer) and its Q or dense values (in the Q buffer) start. */
    private final int[] ranks, pOffset, qOffset;
    private final int pLength, qLength;
    private final float[] m;
    private final double[] colNorms;
    private float[][] q;
    private float[] error;

    /** {@code blocks} must tile [0, n) in order; {@code errorFeedback} adds Algorithm 2's memory. */
    public PowerSgd(List<Block> blocks, int rank, boolean errorFeedback) {
        if (rank < 1) throw new IllegalArgumentException("PowerSGD rank must be at least 1: " + rank);
        this.blocks = blocks.toArray(new Block[0]);
        this.rank = rank;
        this.errorFeedback = errorFeedback;
        int b = this.blocks.length, at = 0, pl = 0, ql = 0;
        ranks = new int[b];
        pOffset = new int[b];
        qOffset = new int[b];
        for (int i = 0; i < b; i++) {
            Block k = this.blocks[i];
            if (k.offset() != at) throw new IllegalArgumentException("PowerSGD block " + k.name() + " starts at " + k.offset() + ", expected " + at);
            at += k.size();
            pOffset[i] = pl;
            qOffset[i] = ql;
            if (k.isMatrix()) {
                ranks[i] = Math.min(rank, Math.min(k.rows(), k.cols()));
                pl += k.rows() * ranks[i];
                ql += k.cols() * ranks[i];
            } else {
                ql += k.rows();
            }
        }
        this.n = at;
        this.pLength = pl;
        this.qLength = ql;
        this.m = new float[n];
        this.colNorms = new double[rank];
    }

    /**
     * Registers Q per matrix under {@code sharedPrefix}/q/&lt;name&gt; (standard normal entries from
     * {@code seed}: the same on every worker, as the algorithm needs) and, with error feedback, this
     * worker's error under {@code rankPrefix}/error.
     */
    public void init(StateTree state, String rankPrefix, String sharedPrefix, long seed) {
        Rng rng = new Rng(seed);
        q = new float[blocks.length][];
        for (int i = 0; i < blocks.length; i++) {
            Block k = blocks[i];
            if (!k.isMatrix()) continue;
            float[] init = new float[k.cols() * ranks[i]];
            for (int j = 0; j < init.length; j++) init[j] = (float) rng.nextGaussian();
            q[i] = state.putFloats(sharedPrefix + "/q/" + k.name(), init, k.cols(), ranks[i]);
        }
        if (errorFeedback) error = state.putFloats(rankPrefix + "/error", new float[n]);
    }

    /** Length of the flat gradient. */
    public int size() { return n; }

    /** Floats in the buffer of the first all-reduce (every matrix's P). */
    public int pLength() { return pLength; }

    /** Floats in the buffer of the second all-reduce (every matrix's Q, then the dense vectors). */
    public int qLength() { return qLength; }

    /** Bytes one worker contributes per step: one float32 per entry of both buffers. */
    public long wireBytes() { return 4L * (pLength + qLength); }

    public String name() { return "powersgd(r=" + rank + ")" + (errorFeedback ? " + ef14" : ""); }

    /** Phase 1: M = grad (+ error), and p = M Q per matrix. */
    public void project(float[] grad, float[] p) {
        if (errorFeedback) for (int i = 0; i < n; i++) m[i] = grad[i] + error[i];
        else System.arraycopy(grad, 0, m, 0, n);
        for (int b = 0; b < blocks.length; b++) {
            Block k = blocks[b];
            if (!k.isMatrix()) continue;
            int rows = k.rows(), cols = k.cols(), r = ranks[b], mo = k.offset(), po = pOffset[b];
            float[] qb = q[b];
            java.util.Arrays.fill(p, po, po + rows * r, 0f);
            for (int i = 0; i < rows; i++) {
                int row = mo + i * cols, pr = po + i * r;
                for (int j = 0; j < cols; j++) {
                    float mij = m[row + j];
                    int qr = j * r;
                    for (int c = 0; c < r; c++) p[pr + c] += mij * qb[qr + c];
                }
            }
        }
    }

    /**
     * Phase 2, on the mean P: orthonormalises each P in place, writes this worker's Q = Mᵀ P̂ and the
     * dense vectors into {@code qOut}, and with error feedback keeps e = M − P̂ Qᵀ (0 on dense vectors).
     */
    public void projectBack(float[] p, float[] qOut) {
        for (int b = 0; b < blocks.length; b++) {
            Block k = blocks[b];
            int qo = qOffset[b];
            if (!k.isMatrix()) {
                System.arraycopy(m, k.offset(), qOut, qo, k.rows());
                if (errorFeedback) java.util.Arrays.fill(error, k.offset(), k.offset() + k.rows(), 0f);
                continue;
            }
            int rows = k.rows(), cols = k.cols(), r = ranks[b], mo = k.offset(), po = pOffset[b];
            orthonormalise(p, po, rows, r);
            java.util.Arrays.fill(qOut, qo, qo + cols * r, 0f);
            for (int i = 0; i < rows; i++) {
                int row = mo + i * cols, pr = po + i * r;
                for (int j = 0; j < cols; j++) {
                    float mij = m[row + j];
                    int qr = qo + j * r;
                    for (int c = 0; c < r; c++) qOut[qr + c] += mij * p[pr + c];
                }
            }
            if (errorFeedback) outerProduct(p, po, qOut, qo, rows, cols, r, error, mo, m);
        }
    }

    /** Phase 3, on the orthonormal P̂ and the mean Q: out = P̂ Qᵀ per matrix, dense vectors as averaged; Q is kept for the next step. */
    public void reconstruct(float[] p, float[] qMean, float[] out) {
        for (int b = 0; b < blocks.length; b++) {
            Block k = blocks[b];
            int qo = qOffset[b];
            if (!k.isMatrix()) {
                System.arraycopy(qMean, qo, out, k.offset(), k.rows());
                continue;
            }
            int rows = k.rows(), cols = k.cols(), r = ranks[b];
            outerProduct(p, pOffset[b], qMean, qo, rows, cols, r, out, k.offset(), null);
            // an all-zero Q (a zero gradient) would stall the power iteration for good: keep the old one
            boolean zero = true;
            for (int j = qo; j < qo + cols * r && zero; j++) zero = qMean[j] == 0f;
            if (!zero) System.arraycopy(qMean, qo, q[b], 0, cols * r);
        }
    }

    /** out[oo + i·cols + j] = minus[...] − Σ_c p[i,c]·q[j,c] when {@code minus} is given, else the sum itself. */
    private static void outerProduct(float[] p, int po, float[] q, int qo, int rows, int cols, int r, float[] out, int oo, float[] minus) {
        for (int i = 0; i < rows; i++) {
            int pr = po + i * r, row = oo + i * cols;
            for (int j = 0; j < cols; j++) {
                int qr = qo + j * r;
                float s = 0f;
                for (int c = 0; c < r; c++) s += p[pr + c] * q[qr + c];
                out[row + j] = minus == null ? s : minus[row + j] - s;
            }
        }
    }

    /**
     * Modified Gram–Schmidt on the r columns of the rows × r row-major block at {@code off}. A column
     * that is zero, or numerically in the span of the earlier ones, becomes zero (it then carries
     * nothing instead of amplified round-off).
     */
    private void orthonormalise(float[] a, int off, int rows, int r) {
        for (int c = 0; c < r; c++) colNorms[c] = Math.sqrt(dot(a, off, rows, r, c, c));
        for (int c = 0; c < r; c++) {
            double norm = Math.sqrt(dot(a, off, rows, r, c, c));
            float inv = norm > DEPENDENT * colNorms[c] && norm > 0 ? (float) (1 / norm) : 0f;
            for (int i = 0; i < rows; i++) a[off + i * r + c] *= inv;
            for (int d = c + 1; d < r; d++) {
                float proj = (float) dot(a, off, rows, r, c, d);
                for (int i = 0; i < rows; i++) a[off + i * r + d] -= proj * a[off + i * r + c];
            }
        }
    }

    private static double dot(float[] a, int off, int rows, int r, int c, int d) {
        double s = 0;
        for (int i = 0; i < rows; i++) s += (double) a[off + i * r + c] * a[off + i * r + d];
        return s;
    }
}
