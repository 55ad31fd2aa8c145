package dopt.nn;

import dopt.random.Rng;
import dopt.tensor.CausalAttention;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import dopt.tensor.RmsNorm;
import dopt.tensor.Rope;
import dopt.tensor.SwiGlu;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A LLaMA-style decoder-only transformer (Touvron et al. 2023, "LLaMA: Open and Efficient
 * Foundation Language Models", §2.2) with a hand-written backward pass:
 *
 * <pre>
 *   x₀ = E[token]                                                  tok_embeddings.weight  EMBEDDING
 *   for each block l:
 *     h  = RMSNorm(x)                                              layers.l.attention_norm.weight  NORM
 *     x  = x + Wo · Attn(RoPE(Wq h), RoPE(Wk h), Wv h)             layers.l.attention.w{q,k,v,o}.weight  MATRIX
 *     h  = RMSNorm(x)                                              layers.l.ffn_norm.weight  NORM
 *     x  = x + W2 · (SiLU(W1 h) ⊙ W3 h)                            layers.l.feed_forward.w{1,2,3}.weight  MATRIX
 *   logits = Wout · RMSNorm(x)                                     norm.weight NORM, output.weight HEAD
 * </pre>
 *
 * Pre-normalisation with RMSNorm (Zhang and Sennrich 2019), rotary embeddings on queries and keys
 * (Su et al. 2021), causal multi-head attention (Vaswani et al. 2017) and the SwiGLU feed-forward
 * (Shazeer 2020); no biases anywhere. Weights are stored [out × in] like PyTorch's
 * {@code nn.Linear}, and the names and their order are those of Meta's {@code llama} checkpoints,
 * so name-pattern rules (FRUGAL's split of the attention and MLP matrices only) can be written
 * against either.
 *
 * <p><b>Tied head.</b> With {@link TransformerConfig#tied()} the head reuses the embedding matrix
 * (Press and Wolf 2017), and {@code output.weight} does not exist: {@link #params()} lists
 * {@code tok_embeddings.weight} once, with role EMBEDDING. Its gradient is the sum of both uses:
 * the head's product dLogitsᵀ·h is written into it first (overwriting the previous step), then the
 * embedding lookup's rows are added on top.
 *
 * <p><b>Memory.</b> Every activation the backward pass needs is kept per block in buffers sized
 * for maxBatch × maxSeqLen rows (plus maxBatch·heads·maxSeqLen² attention probabilities per
 * block), allocated in the constructor; {@link #forwardBackward} and {@link #loss} allocate nothing
 * of their own. Results are deterministic for a given {@link Rng} seed and SIMD width.
 */
public final class TransformerLm implements TokenModel {
    /** RMSNorm's ε (Meta's {@code ModelArgs.norm_eps}). */
    public static final float NORM_EPS = 1e-5f;
    /** Standard deviation of the normal initialisation of every matrix and the embedding. */
    public static final double INIT_STD = 0.02;

    private final TransformerConfig cfg;
    private final int maxBatch, dim, hidden, vocab, heads, layers;
    private final List<Param> params;
    private final Param embedding, head, finalNorm;
    private final Param[] wq, wk, wv, wo, w1, w2, w3, attnNorm, ffnNorm;
    private final Rope rope;
    private final CausalAttention attention;

    // Activations kept for the backward pass, one array per block; rows n = b·seqLen + t.
    private final float[][] resid;          // [layers+1][rows × dim]: resid[l] enters block l
    private final float[][] invRms1, h1;    // attention_norm: 1/rms per row and its output
    private final float[][] q, k, v;        // projections, q and k after RoPE
    private final float[][] probs;          // attention probabilities [batch·heads·T·T]
    private final float[][] att;            // attention output before wo
    private final float[][] mid;            // residual stream between attention and feed-forward
    private final float[][] invRms2, h2;    // ffn_norm
    private final float[][] a, b, gate;     // w1·h, w3·h, SiLU(a) ⊙ b  [rows × hidden]
    private final float[] invRmsF, hF, logits;
    private final int[] targets;

    // Backward scratch, shared by all blocks.
    private final float[] dx, dh, tmp, dq, dk, dv, datt, dLogits;
    private final float[] da, db, dgate;

    public TransformerLm(TransformerConfig cfg, int maxBatch) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
        this.cfg = cfg;
        this.maxBatch = maxBatch;
        dim = cfg.dim();
        hidden = cfg.hidden();
        vocab = cfg.vocab();
        heads = cfg.heads();
        layers = cfg.layers();

        List<Param> ps = new ArrayList<>();
        embedding = new Param("tok_embeddings.weight", Param.Role.EMBEDDING, vocab, dim);
        ps.add(embedding);
        wq = new Param[layers];
        wk = new Param[layers];
        wv = new Param[layers];
        wo = new Param[layers];
        w1 = new Param[layers];
        w2 = new Param[layers];
        w3 = new Param[layers];
        attnNorm = new Param[layers];
        ffnNorm = new Param[layers];
        for (int l = 0; l < layers; l++) {
            String p = "layers." + l + ".";
            ps.add(wq[l] = new Param(p + "attention.wq.weight", Param.Role.MATRIX, dim, dim));
            ps.add(wk[l] = new Param(p + "attention.wk.weight", Param.Role.MATRIX, dim, dim));
            ps.add(wv[l] = new Param(p + "attention.wv.weight", Param.Role.MATRIX, dim, dim));
            ps.add(wo[l] = new Param(p + "attention.wo.weight", Param.Role.MATRIX, dim, dim));
            ps.add(w1[l] = new Param(p + "feed_forward.w1.weight", Param.Role.MATRIX, hidden, dim));
            ps.add(w2[l] = new Param(p + "feed_forward.w2.weight", Param.Role.MATRIX, dim, hidden));
            ps.add(w3[l] = new Param(p + "feed_forward.w3.weight", Param.Role.MATRIX, hidden, dim));
            ps.add(attnNorm[l] = new Param(p + "attention_norm.weight", Param.Role.NORM, dim));
            ps.add(ffnNorm[l] = new Param(p + "ffn_norm.weight", Param.Role.NORM, dim));
        }
        ps.add(finalNorm = new Param("norm.weight", Param.Role.NORM, dim));
        if (cfg.tied()) {
            head = embedding;
        } else {
            head = new Param("output.weight", Param.Role.HEAD, vocab, dim);
            ps.add(head);
        }
        params = Collections.unmodifiableList(ps);

        int T = cfg.maxSeqLen();
        rope = new Rope(cfg.headDim(), T);
        attention = new CausalAttention(cfg.headDim(), T);
        int rows = Math.multiplyExact(maxBatch, T);
        int rd = Math.multiplyExact(rows, dim), rh = Math.multiplyExact(rows, hidden);
        int pr = CausalAttention.probsSize(maxBatch, heads, T);
        resid = new float[layers + 1][rd];
        invRms1 = new float[layers][rows];
        h1 = new float[layers][rd];
        q = new float[layers][rd];
        k = new float[layers][rd];
        v = new float[layers][rd];
        probs = new float[layers][pr];
        att = new float[layers][rd];
        mid = new float[layers][rd];
        invRms2 = new float[layers][rows];
        h2 = new float[layers][rd];
        a = new float[layers][rh];
        b = new float[layers][rh];
        gate = new float[layers][rh];
        invRmsF = new float[rows];
        hF = new float[rd];
        logits = new float[Math.multiplyExact(rows, vocab)];
        targets = new int[rows];
        dx = new float[rd];
        dh = new float[rd];
        tmp = new float[rd];
        dq = new float[rd];
        dk = new float[rd];
        dv = new float[rd];
        datt = new float[rd];
        dLogits = new float[logits.length];
        da = new float[rh];
        db = new float[rh];
        dgate = new float[rh];
    }

    public TransformerConfig config() { return cfg; }
    @Override public List<Param> params() { return params; }
    @Override public int vocabSize() { return vocab; }
    @Override public int maxSeqLen() { return cfg.maxSeqLen(); }
    @Override public int maxBatch() { return maxBatch; }

    /** Trainable scalars actually allocated (equals {@link TransformerConfig#paramCount()}). */
    public long paramCount() {
        long n = 0;
        for (Param p : params) n += p.size();
        return n;
    }

    /**
     * Every matrix and the embedding ~ N(0, 0.02²), norm weights 1. The 0.02 is GPT-2's
     * {@code initializer_range} (Radford et al. 2019, released code) kept by LLaMA's reference
     * training setups (Hugging Face {@code LlamaConfig.initializer_range}); RMSNorm starts as the
     * identity scaling, as Meta's {@code RMSNorm} does ({@code torch.ones}). Drawn in
     * {@link #params()} order.
     */
    @Override
    public void init(Rng rng) {
        for (Param p : params) {
            float[] w = p.value();
            if (p.role() == Param.Role.NORM) {
                java.util.Arrays.fill(w, 1f);
            } else {
                for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * INIT_STD);
            }
        }
    }

    @Override
    public float forwardBackward(int[] tokens, int batch, int seqLen) {
        forward(tokens, batch, seqLen);
        int rows = batch * seqLen;
        float loss = Dense.softmaxCrossEntropy(logits, targets, rows, vocab, dLogits);
        backward(tokens, batch, seqLen);
        return loss;
    }

    @Override
    public float loss(int[] tokens, int batch, int seqLen) {
        forward(tokens, batch, seqLen);
        return Dense.softmaxCrossEntropy(logits, targets, batch * seqLen, vocab, null);
    }

    /**
     * Runs the forward pass and copies the logits into {@code out[batch·seqLen × vocab]}, row
     * b·seqLen + t predicting token t + 1 of row b (for evaluation, sampling and tests).
     */
    public void logits(int[] tokens, int batch, int seqLen, float[] out) {
        forward(tokens, batch, seqLen);
        System.arraycopy(logits, 0, out, 0, batch * seqLen * vocab);
    }

    private void checkShape(int[] tokens, int batch, int seqLen) {
        if (batch < 1 || batch > maxBatch) throw new IllegalArgumentException("batch " + batch + " outside 1.." + maxBatch);
        if (seqLen < 1 || seqLen > cfg.maxSeqLen())
            throw new IllegalArgumentException("seqLen " + seqLen + " outside 1.." + cfg.maxSeqLen());
        if (tokens.length < batch * (seqLen + 1))
            throw new IllegalArgumentException("need " + batch * (seqLen + 1) + " tokens, got " + tokens.length);
    }

    private void forward(int[] tokens, int batch, int seqLen) {
        checkShape(tokens, batch, seqLen);
        int rows = batch * seqLen, rd = rows * dim, rh = rows * hidden;
        float[] x0 = resid[0], e = embedding.value();
        for (int bi = 0; bi < batch; bi++) {
            for (int t = 0; t < seqLen; t++) {
                int in = tokens[bi * (seqLen + 1) + t], out = tokens[bi * (seqLen + 1) + t + 1];
                if (in < 0 || in >= vocab || out < 0 || out >= vocab)
                    throw new IllegalArgumentException("token outside 0.." + (vocab - 1) + " in row " + bi);
                int n = bi * seqLen + t;
                System.arraycopy(e, in * dim, x0, n * dim, dim);
                targets[n] = out;
            }
        }
        for (int l = 0; l < layers; l++) {
            float[] x = resid[l];
            RmsNorm.forward(x, attnNorm[l].value(), h1[l], invRms1[l], rows, dim, NORM_EPS);
            Dense.matmulBT(h1[l], wq[l].value(), q[l], rows, dim, dim);
            Dense.matmulBT(h1[l], wk[l].value(), k[l], rows, dim, dim);
            Dense.matmulBT(h1[l], wv[l].value(), v[l], rows, dim, dim);
            rope.rotate(q[l], rows, seqLen, heads, false);
            rope.rotate(k[l], rows, seqLen, heads, false);
            attention.forward(q[l], k[l], v[l], probs[l], att[l], batch, seqLen, heads);
            float[] m = mid[l];
            Dense.matmulBT(att[l], wo[l].value(), m, rows, dim, dim);
            addInto(m, x, rd);
            RmsNorm.forward(m, ffnNorm[l].value(), h2[l], invRms2[l], rows, dim, NORM_EPS);
            Dense.matmulBT(h2[l], w1[l].value(), a[l], rows, dim, hidden);
            Dense.matmulBT(h2[l], w3[l].value(), b[l], rows, dim, hidden);
            SwiGlu.forward(a[l], b[l], gate[l], rh);
            float[] y = resid[l + 1];
            Dense.matmulBT(gate[l], w2[l].value(), y, rows, hidden, dim);
            addInto(y, m, rd);
        }
        RmsNorm.forward(resid[layers], finalNorm.value(), hF, invRmsF, rows, dim, NORM_EPS);
        Dense.matmulBT(hF, head.value(), logits, rows, dim, vocab);
    }

    /** Backward from dLogits (already the gradient of the mean loss); writes every gradient. */
    private void backward(int[] tokens, int batch, int seqLen) {
        int rows = batch * seqLen, rd = rows * dim, rh = rows * hidden;
        // head: written first, so that with a tied head the embedding rows below add on top of it
        Dense.matmulAT(dLogits, hF, head.grad(), vocab, rows, dim);
        Dense.matmul(dLogits, head.value(), dh, rows, vocab, dim);
        java.util.Arrays.fill(dx, 0, rd, 0f);
        RmsNorm.backward(resid[layers], finalNorm.value(), invRmsF, dh, dx, finalNorm.grad(), rows, dim);
        // dx now holds dLoss/d(resid[l+1]); each block turns it into dLoss/d(resid[l])
        for (int l = layers - 1; l >= 0; l--) {
            // feed-forward branch: y = mid + gate·W2ᵀ, gate = SiLU(h2·W1ᵀ) ⊙ (h2·W3ᵀ)
            Dense.matmulAT(dx, gate[l], w2[l].grad(), dim, rows, hidden);
            Dense.matmul(dx, w2[l].value(), dgate, rows, dim, hidden);
            SwiGlu.backward(a[l], b[l], dgate, da, db, rh);
            Dense.matmulAT(da, h2[l], w1[l].grad(), hidden, rows, dim);
            Dense.matmulAT(db, h2[l], w3[l].grad(), hidden, rows, dim);
            Dense.matmul(da, w1[l].value(), dh, rows, hidden, dim);
            Dense.matmul(db, w3[l].value(), tmp, rows, hidden, dim);
            addInto(dh, tmp, rd);
            // the residual path already carries dx; the norm adds its share: dx = dLoss/d(mid)
            RmsNorm.backward(mid[l], ffnNorm[l].value(), invRms2[l], dh, dx, ffnNorm[l].grad(), rows, dim);

            // attention branch: mid = x + att·Woᵀ
            Dense.matmulAT(dx, att[l], wo[l].grad(), dim, rows, dim);
            Dense.matmul(dx, wo[l].value(), datt, rows, dim, dim);
            attention.backward(q[l], k[l], v[l], probs[l], datt, dq, dk, dv, batch, seqLen, heads);
            // RoPE is a rotation: its transpose (rotation by −θ) carries the gradient back
            rope.rotate(dq, rows, seqLen, heads, true);
            rope.rotate(dk, rows, seqLen, heads, true);
            Dense.matmulAT(dq, h1[l], wq[l].grad(), dim, rows, dim);
            Dense.matmulAT(dk, h1[l], wk[l].grad(), dim, rows, dim);
            Dense.matmulAT(dv, h1[l], wv[l].grad(), dim, rows, dim);
            Dense.matmul(dq, wq[l].value(), dh, rows, dim, dim);
            Dense.matmul(dk, wk[l].value(), tmp, rows, dim, dim);
            addInto(dh, tmp, rd);
            Dense.matmul(dv, wv[l].value(), tmp, rows, dim, dim);
            addInto(dh, tmp, rd);
            RmsNorm.backward(resid[l], attnNorm[l].value(), invRms1[l], dh, dx, attnNorm[l].grad(), rows, dim);
        }
        // embedding lookup: scatter-add each position's gradient into its token's row
        float[] ge = embedding.grad();
        if (!cfg.tied()) java.util.Arrays.fill(ge, 0f);
        for (int bi = 0; bi < batch; bi++) {
            for (int t = 0; t < seqLen; t++) {
                int row = tokens[bi * (seqLen + 1) + t] * dim, n = (bi * seqLen + t) * dim;
                for (int j = 0; j < dim; j++) ge[row + j] += dx[n + j];
            }
        }
    }

    private static void addInto(float[] dst, float[] src, int len) {
        for (int i = 0; i < len; i++) dst[i] += src[i];
    }
}
