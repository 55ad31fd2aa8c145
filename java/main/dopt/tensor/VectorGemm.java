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

    /**
     * Rows of the output as broadcast(a[i][p]) · b[p][j..j+2L) tiles; {@code aTransposed} reads
     * a[i][p] at a[p*m + i] instead of a[i*k + p].
     */
    private static void rowTiles(float[] a, float[] b, float[] out, int k, int n, int i0, int i1, boolean aTransposed, int m) {
        int w = 2 * L, jv = n - n % w;
        int i = i0;
        for (; i + 3 < i1; i += 4) {
            for (int j = 0; j < jv; j += w) {
                FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S),
                        c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
                for (int p = 0; p < k; p++) {
                    int bp = p * n + j;
                    FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
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
                int o = i * n + j;
                c00.intoArray(out, o); c01.intoArray(out, o + L);
                c10.intoArray(out, o + n); c11.intoArray(out, o + n + L);
                c20.intoArray(out, o + 2 * n); c21.intoArray(out, o + 2 * n + L);
                c30.intoArray(out, o + 3 * n); c31.intoArray(out, o + 3 * n + L);
            }
            for (int r = i; r < i + 4; r++) scalarTail(a, b, out, k, n, r, jv, aTransposed, m);
        }
        for (; i < i1; i++) {
            for (int j = 0; j < jv; j += L) {
                FloatVector c = FloatVector.zero(S);
                for (int p = 0; p < k; p++)
                    c = FloatVector.broadcast(S, aTransposed ? a[p * m + i] : a[i * k + p]).fma(FloatVector.fromArray(S, b, p * n + j), c);
                c.intoArray(out, i * n + j);
            }
            scalarTail(a, b, out, k, n, i, jv, aTransposed, m);
        }
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
        int i = i0;
        for (; i + 1 < i1; i += 2) {
            int j = 0;
            for (; j + 3 < n; j += 4) {
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
            for (; j < n; j++) {
                out[i * n + j] = dot(a, i * k, b, j * k, k, kv);
                out[(i + 1) * n + j] = dot(a, (i + 1) * k, b, j * k, k, kv);
            }
        }
        for (; i < i1; i++) for (int j = 0; j < n; j++) out[i * n + j] = dot(a, i * k, b, j * k, k, kv);
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
