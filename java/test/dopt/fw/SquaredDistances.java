package dopt.fw;

/**
 * f_i(x) = ½‖x − c_i‖², so f(x) = ½‖x − c̄‖² + const: a quadratic whose constrained minimiser is
 * the projection of the centre c̄ and can be written down by hand. Counts its own gradient calls,
 * independently of the methods' counters.
 */
final class SquaredDistances implements FiniteSumProblem {
    private final double[][] c;
    long componentCalls, fullCalls;

    SquaredDistances(double[]... centres) { this.c = centres; }

    @Override public int n() { return c.length; }

    @Override public int dim() { return c[0].length; }

    @Override
    public void addComponentGradient(int i, float[] x, double scale, float[] out) {
        componentCalls++;
        for (int j = 0; j < x.length; j++) out[j] += (float) (scale * (x[j] - c[i][j]));
    }

    @Override
    public void fullGradient(float[] x, double[] out) {
        fullCalls++;
        for (int j = 0; j < x.length; j++) {
            double m = 0;
            for (double[] ci : c) m += ci[j];
            out[j] = x[j] - m / c.length;
        }
    }

    @Override
    public double loss(float[] x) {
        double s = 0;
        for (double[] ci : c)
            for (int j = 0; j < x.length; j++) s += 0.5 * (x[j] - ci[j]) * (x[j] - ci[j]);
        return s / c.length;
    }
}
