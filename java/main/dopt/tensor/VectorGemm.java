package dopt.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three matrix products of {@link Dense} with explicit SIMD (the JDK's incubating Vector API,
 * run with {@code --add-modules=jdk.incubator.vector}). Each product keeps a 4-row × 2-vector tile
 * of the output in registers and streams the shared dimension through fused multiply-adds — the
 * register-blocking idea of Goto and van de Geijn 2008, without their packing. Loaded only when
 * the module is present; {@link Dense} falls back to plain loops otherwise.
 *
 * <p>Results are deterministic for a given vector width (the order of the additions is fixed),
 * but differ in the last bits from the scalar loops and between machines with another width.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorGemm() { }

    static int lanes() { return L; }

    /** out[m×n] = a[m×k] · b[k×n] for rows [i0, i1) of the output. */
    static void matmul(float[] a, float[] b, float[] out, int m, int k, int n, int i0, int i1) {
        rowTiles(a, b, out, k, n, i0, i1, false, m);
    }

    /** out[m×n] = aᵀ · b, a stored [k×m], for rows [i0, i1) of the output. */
    static void matmulAT(float[] a, float[] b, float[] out, int m, int k, int n, int i0, int i1) {
        rowTiles(a, b, out, k, n, i0, i1, true, m);
    }

    /** Shared-dimension block: a packed 256 × 2L panel of b is 32 KiB with L = 16, which stays in L1/L2. */
    private static final int KB = 256;
    /** Rows of a per block (a multiple of the 4-row tile). */
    private static final int MC = 64;
    /** Each thread packs into its own panel buffer, allocated once per thread. */
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[KB * 2 * L]);

    /**
     * Rows [i0, i1) of out = a·b (or aᵀ·b when {@code aTransposed}: a[i][p] is read at a[p*m + i]).
     * For each block of KB rows of b and each 2L-wide column panel, the panel is copied into a
     * contiguous buffer once and then streamed by every 4-row tile: without the copy, a row stride
     * of 4 KiB (n = 1024) made every load of b miss the cache (2.5 GFLOP/s instead of 80).
     */
    private static void rowTiles(float[] a, float[] b, float[] out, int k, int n, int i0, int i1, boolean aTransposed, int m) {
        int w = 2 * L, jv = n - n % w;
        float[] panel = PANEL.get();
        int i4 = i0 + (i1 - i0) / 4 * 4;
        for (int p0 = 0; p0 < k; p0 += KB) {
            int p1 = Math.min(k, p0 + KB), kb = p1 - p0;
            boolean first = p0 == 0;
            // MC rows of a (64 × 256 floats = 64 KiB) stay in L2 while every column panel passes
            for (int ib = i0; ib < i4; ib += MC) {
            int ie = Math.min(i4, ib + MC);
            for (int j = 0; j < jv; j += w) {
                for (int p = p0; p < p1; p++) {
                    System.arraycopy(b, p * n + j, panel, (p - p0) * w, w);
                }
                for (int i = ib; i < ie; i += 4) {
                    int o = i * n + j;
                    FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
                    if (first) {
                        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
                    } else {
                        c00 = FloatVector.fromArray(S, out, o); c01 = FloatVector.fromArray(S, out, o + L);
                        c10 = FloatVector.fromArray(S, out, o + n); c11 = FloatVector.fromArray(S, out, o + n + L);
                        c20 = FloatVector.fromArray(S, out, o + 2 * n); c21 = FloatVector.fromArray(S, out, o + 2 * n + L);
                        c30 = FloatVector.fromArray(S, out, o + 3 * n); c31 = FloatVector.fromArray(S, out, o + 3 * n + L);
                    }
                    for (int q = 0; q < kb; q++) {
                        FloatVector b0 = FloatVector.fromArray(S, panel, q * w), b1 = FloatVector.fromArray(S, panel, q * w + L);
                        int p = p0 + q;
                        float x0, x1, x2, x3;
                        if (aTransposed) {
                            int ap = p * m + i;
                            x0 = a[ap]; x1 = a[ap + 1]; x2 = a[ap + 2]; x3 = a[ap + 3];
                        } else {
                            int ap = i * k + p;
                            x0 = a[ap]; x1 = a[ap + k]; x2 = a[ap + 2 * k]; x3 = a[ap + 3 * k];
                        }
                        FloatVector v = FloatVector.broadcast(S, x0);
                        c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
                        v = FloatVector.broadcast(S, x1);
                        c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
                        v = FloatVector.broadcast(S, x2);
                        c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
                        v = FloatVector.broadcast(S, x3);
                        c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
                    }
                    c00.intoArray(out, o); c01.intoArray(out, o + L);
                    c10.intoArray(out, o + n); c11.intoArray(out, o + n + L);
                    c20.intoArray(out, o + 2 * n); c21.intoArray(out, o + 2 * n + L);
                    c30.intoArray(out, o + 3 * n); c31.intoArray(out, o + 3 * n + L);
                }
            }
            }
        }
        // rows beyond the last full tile, and the columns beyond the last full panel
        for (int i = i4; i < i1; i++) {
            for (int j = 0; j < jv; j += L) {
                FloatVector c = FloatVector.zero(S);
                for (int p = 0; p < k; p++)
                    c = FloatVector.broadcast(S, aTransposed ? a[p * m + i] : a[i * k + p]).fma(FloatVector.fromArray(S, b, p * n + j), c);
                c.intoArray(out, i * n + j);
            }
        }
        for (int i = i0; i < i1; i++) scalarTail(a, b, out, k, n, i, jv, aTransposed, m);
    }

    private static void scalarTail(float[] a, float[] b, float[] out, int k, int n, int i, int j0, boolean aT, int m) {
        for (int j = j0; j < n; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s = Math.fma(aT ? a[p * m + i] : a[i * k + p], b[p * n + j], s);
            out[i * n + j] = s;
        }
    }

    /**
     * out[m×n] = a[m×k] · bᵀ with b stored [n×k] (a linear layer's forward pass), rows [i0, i1):
     * 2×4 tiles of dot products, each accumulated lane-wise along k and reduced once at the end.
     */
    static void matmulBT(float[] a, float[] b, float[] out, int m, int k, int n, int i0, int i1) {
        int kv = k - k % L;
        int n4 = n - n % 4;
        // a block of b's rows (about 256 KiB) is reused by every row pair of a before moving on
        int jb = Math.max(4, (65536 / Math.max(1, k)) & ~3);
        for (int j0 = 0; j0 < n4; j0 += jb) {
            int j1 = Math.min(n4, j0 + jb);
            int i = i0;
            for (; i + 1 < i1; i += 2) for (int j = j0; j < j1; j += 4) tileBT(a, b, out, k, n, kv, i, j);
            for (; i < i1; i++) for (int j = j0; j < j1; j++) out[i * n + j] = dot(a, i * k, b, j * k, k, kv);
        }
        for (int i = i0; i < i1; i++) for (int j = n4; j < n; j++) out[i * n + j] = dot(a, i * k, b, j * k, k, kv);
    }

    /** Output rows i, i+1 × columns j..j+3 of a·bᵀ. */
    private static void tileBT(float[] a, float[] b, float[] out, int k, int n, int kv, int i, int j) {
        {
            {
                FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s02 = FloatVector.zero(S), s03 = FloatVector.zero(S),
                        s10 = FloatVector.zero(S), s11 = FloatVector.zero(S), s12 = FloatVector.zero(S), s13 = FloatVector.zero(S);
                int a0 = i * k, a1 = a0 + k, b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
                for (int p = 0; p < kv; p += L) {
                    FloatVector x0 = FloatVector.fromArray(S, a, a0 + p), x1 = FloatVector.fromArray(S, a, a1 + p);
                    FloatVector w = FloatVector.fromArray(S, b, b0 + p);
                    s00 = x0.fma(w, s00); s10 = x1.fma(w, s10);
                    w = FloatVector.fromArray(S, b, b1 + p);
                    s01 = x0.fma(w, s01); s11 = x1.fma(w, s11);
                    w = FloatVector.fromArray(S, b, b2 + p);
                    s02 = x0.fma(w, s02); s12 = x1.fma(w, s12);
                    w = FloatVector.fromArray(S, b, b3 + p);
                    s03 = x0.fma(w, s03); s13 = x1.fma(w, s13);
                }
                out[i * n + j] = s00.reduceLanes(VectorOperators.ADD) + dotTail(a, a0, b, b0, kv, k);
                out[i * n + j + 1] = s01.reduceLanes(VectorOperators.ADD) + dotTail(a, a0, b, b1, kv, k);
                out[i * n + j + 2] = s02.reduceLanes(VectorOperators.ADD) + dotTail(a, a0, b, b2, kv, k);
                out[i * n + j + 3] = s03.reduceLanes(VectorOperators.ADD) + dotTail(a, a0, b, b3, kv, k);
                out[(i + 1) * n + j] = s10.reduceLanes(VectorOperators.ADD) + dotTail(a, a1, b, b0, kv, k);
                out[(i + 1) * n + j + 1] = s11.reduceLanes(VectorOperators.ADD) + dotTail(a, a1, b, b1, kv, k);
                out[(i + 1) * n + j + 2] = s12.reduceLanes(VectorOperators.ADD) + dotTail(a, a1, b, b2, kv, k);
                out[(i + 1) * n + j + 3] = s13.reduceLanes(VectorOperators.ADD) + dotTail(a, a1, b, b3, kv, k);
            }
        }
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int k, int kv) {
        FloatVector s = FloatVector.zero(S);
        for (int p = 0; p < kv; p += L) s = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), s);
        return s.reduceLanes(VectorOperators.ADD) + dotTail(a, ao, b, bo, kv, k);
    }

    private static float dotTail(float[] a, int ao, float[] b, int bo, int from, int k) {
        float s = 0f;
        for (int p = from; p < k; p++) s = Math.fma(a[ao + p], b[bo + p], s);
        return s;
    }
}
