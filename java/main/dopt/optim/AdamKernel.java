package dopt.optim;

/**
 * The element-wise Adam update shared by every rule that runs Adam on some buffer (public for the
 * CPU backend, whose fused steps are the reference the GPU kernels are tested against).
 */
public final class AdamKernel {
    private AdamKernel() { }

    /**
     * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², out = (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) over
     * {@code [0, n)}; {@code out} may be {@code g}. Kingma and Ba 2015, Algorithm 1, with ε outside
     * the root as torch.optim.Adam.
     */
    public static void step(float[] g, float[] m, float[] v, float[] out, int n, float b1, float b2, float eps, long t) {
        step(g, 0, m, v, 0, out, 0, n, b1, b2, eps, t);
    }

    /**
     * As {@link #step(float[], float[], float[], float[], int, float, float, float, long)} over
     * {@code n} entries from {@code gFrom} of g, {@code stateFrom} of m and v, {@code outFrom} of out
     * (a window of a parameter whose moments cover only the window).
     */
    public static void step(float[] g, int gFrom, float[] m, float[] v, int stateFrom, float[] out, int outFrom, int n,
                            float b1, float b2, float eps, long t) {
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        float stepScale = (float) (1 / bc1), bc2Sqrt = (float) Math.sqrt(bc2);
        float c1 = 1 - b1, c2 = 1 - b2;
        for (int j = 0; j < n; j++) {
            float gj = g[gFrom + j];
            int k = stateFrom + j;
            float mj = b1 * m[k] + c1 * gj;
            float vj = b2 * v[k] + c2 * gj * gj;
            m[k] = mj;
            v[k] = vj;
            out[outFrom + j] = mj * stepScale / ((float) Math.sqrt(vj) / bc2Sqrt + eps);
        }
    }
}
