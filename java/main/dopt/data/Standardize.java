package dopt.data;

/** Per-feature standardisation with the training split's mean and standard deviation (constant features are left centred). */
final class Standardize {
    private Standardize() { }

    static void fitApply(Dataset train, Dataset... others) {
        int d = train.dim(), n = train.n();
        double[] mean = new double[d], sq = new double[d];
        float[] x = train.x();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) {
                mean[j] += x[i * d + j];
                sq[j] += (double) x[i * d + j] * x[i * d + j];
            }
        float[] mu = new float[d], inv = new float[d];
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
            double var = sq[j] / n - mean[j] * mean[j];
            mu[j] = (float) mean[j];
            inv[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 1f;
        }
        apply(train, mu, inv);
        for (Dataset o : others) apply(o, mu, inv);
    }

    private static void apply(Dataset ds, float[] mu, float[] inv) {
        int d = ds.dim();
        float[] x = ds.x();
        for (int i = 0; i < ds.n(); i++)
            for (int j = 0; j < d; j++) x[i * d + j] = (x[i * d + j] - mu[j]) * inv[j];
    }
}
