package dopt.experiments;

import dopt.data.Dataset;
import dopt.random.Rng;

/**
 * The frozen "image encoder" that stands in for CLIP's (none is available offline): φ(x) =
 * ReLU(R (x − x̄)) with R ∈ R^{d×p}, R_ij ~ N(0, 1/p) drawn once from a fixed seed, x̄ the mean
 * training image, then each feature standardised with the training split's mean and standard
 * deviation. Random ReLU features (Rahimi and Recht 2008) are a fixed, reproducible nonlinear
 * embedding; they carry no language alignment, which is why the concept embeddings are built
 * from the labels ({@link SparseCbmExperiment}).
 */
final class RandomReluFeatures {
    private RandomReluFeatures() { }

    /** Encodes the first {@code nTrain} / {@code nTest} rows of the splits: returns {train, test} features, n × d each. */
    static float[][] encode(Dataset train, Dataset test, int nTrain, int nTest, int d, long seed) {
        int p = train.dim();
        float[] r = new float[d * p];
        Rng rng = new Rng(seed);
        double s = 1 / Math.sqrt(p);
        for (int i = 0; i < r.length; i++) r[i] = (float) (s * rng.nextGaussian());
        float[] mean = new float[p];
        for (int i = 0; i < nTrain; i++) for (int j = 0; j < p; j++) mean[j] += train.x()[i * p + j];
        for (int j = 0; j < p; j++) mean[j] /= nTrain;
        float[] ftr = project(train.x(), nTrain, p, r, d, mean), fte = project(test.x(), nTest, p, r, d, mean);
        for (int f = 0; f < d; f++) {
            double m = 0, v = 0;
            for (int i = 0; i < nTrain; i++) m += ftr[i * d + f];
            m /= nTrain;
            for (int i = 0; i < nTrain; i++) v += (ftr[i * d + f] - m) * (ftr[i * d + f] - m);
            double sd = Math.sqrt(v / nTrain) + 1e-6;
            for (int i = 0; i < nTrain; i++) ftr[i * d + f] = (float) ((ftr[i * d + f] - m) / sd);
            for (int i = 0; i < nTest; i++) fte[i * d + f] = (float) ((fte[i * d + f] - m) / sd);
        }
        return new float[][] {ftr, fte};
    }

    private static float[] project(float[] x, int n, int p, float[] r, int d, float[] mean) {
        float[] out = new float[n * d], centred = new float[p];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) centred[j] = x[i * p + j] - mean[j];
            for (int f = 0; f < d; f++) {
                float acc = 0;
                int ro = f * p;
                for (int j = 0; j < p; j++) acc += r[ro + j] * centred[j];
                out[i * d + f] = Math.max(acc, 0f);
            }
        }
        return out;
    }
}
