package dopt.fw;

import dopt.data.Dataset;

/**
 * Logistic regression over a two-class {@link Dataset} as a finite sum, with labels b_i = ±1
 * (class 1 → +1, class 0 → −1) and no bias term (the constraint set bounds all of x):
 * f_i(x) = log(1 + exp(−b_i a_iᵀx)), ∇f_i(x) = −b_i σ(−b_i a_iᵀx) a_i, σ(z) = 1/(1 + e^{−z}).
 * This is the objective of the ℓ1-constrained experiments of Beznosikov, Dobre and Gidel (2024,
 * Sec. 5) and Nazykov et al. (2024, Sec. 5); the constraint is the {@link L1Ball} the method uses.
 * A component gradient costs one dot product and one axpy over the row.
 */
public final class BinaryLogisticRegression implements FiniteSumProblem {
    private final float[] a;
    private final double[] b;
    private final int n, dim;

    public BinaryLogisticRegression(Dataset data) {
        if (data.classes() != 2) throw new IllegalArgumentException("logistic regression needs two classes; " + data.name() + " has " + data.classes());
        if (data.n() < 1) throw new IllegalArgumentException("data set " + data.name() + " is empty");
        this.a = data.x();
        this.n = data.n();
        this.dim = data.dim();
        this.b = new double[n];
        for (int i = 0; i < n; i++) {
            int y = data.y()[i];
            if (y != 0 && y != 1) throw new IllegalArgumentException("label " + y + " of row " + i + " is not 0 or 1");
            b[i] = y == 1 ? 1 : -1;
        }
        for (int k = 0; k < a.length; k++)
            if (!Float.isFinite(a[k])) throw new IllegalArgumentException("feature " + (k % dim) + " of row " + (k / dim) + " is " + a[k]);
    }

    @Override public int n() { return n; }

    @Override public int dim() { return dim; }

    private double margin(int i, float[] x) {
        int off = i * dim;
        double z = 0;
        for (int j = 0; j < dim; j++) z += (double) a[off + j] * x[j];
        return b[i] * z;
    }

    /** d f_i / d(a_iᵀx) = −b_i σ(−b_i a_iᵀx), written with exp of a non-positive number only. */
    private double slope(int i, float[] x) {
        double m = margin(i, x);
        double sig = m >= 0 ? Math.exp(-m) / (1 + Math.exp(-m)) : 1 / (1 + Math.exp(m));
        return -b[i] * sig;
    }

    @Override
    public void addComponentGradient(int i, float[] x, double scale, float[] out) {
        double c = scale * slope(i, x);
        int off = i * dim;
        for (int j = 0; j < dim; j++) out[j] += (float) (c * a[off + j]);
    }

    @Override
    public void fullGradient(float[] x, double[] out) {
        for (int j = 0; j < dim; j++) out[j] = 0;
        for (int i = 0; i < n; i++) {
            double c = slope(i, x) / n;
            int off = i * dim;
            for (int j = 0; j < dim; j++) out[j] += c * a[off + j];
        }
    }

    @Override
    public double loss(float[] x) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double m = margin(i, x);
            sum += m >= 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
        }
        return sum / n;
    }
}
