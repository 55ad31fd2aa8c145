package dopt.aggregate;

import java.util.Arrays;

/** The per-coordinate mean (and ddof-1 standard deviation) of the honest rows, in double, for the attacks. */
final class HonestMean {
    private HonestMean() { }

    static void check(String attack, float[][] honest, int h, int d) {
        if (h < 1) throw new IllegalArgumentException(attack + ": needs at least one honest row, got h = " + h);
        for (int i = 0; i < h; i++)
            if (honest[i].length != d)
                throw new IllegalArgumentException(attack + ": honest row " + i + " has length " + honest[i].length + ", not " + d);
    }

    static void mean(float[][] honest, int h, int d, double[] mean) {
        Arrays.fill(mean, 0, d, 0.0);
        for (int i = 0; i < h; i++) {
            float[] r = honest[i];
            for (int j = 0; j < d; j++) mean[j] += r[j];
        }
        for (int j = 0; j < d; j++) mean[j] /= h;
    }

    /** Sample standard deviation with ddof 1, as torch.std; needs h ≥ 2 and {@code mean} from {@link #mean}. */
    static void std(float[][] honest, int h, int d, double[] mean, double[] std) {
        Arrays.fill(std, 0, d, 0.0);
        for (int i = 0; i < h; i++) {
            float[] r = honest[i];
            for (int j = 0; j < d; j++) {
                double t = r[j] - mean[j];
                std[j] += t * t;
            }
        }
        for (int j = 0; j < d; j++) std[j] = Math.sqrt(std[j] / (h - 1));
    }

    static void checkRows(String attack, float[][] byzantine, int f, int d) {
        if (f < 0) throw new IllegalArgumentException(attack + ": f must be >= 0, got " + f);
        for (int i = 0; i < f; i++)
            if (byzantine[i].length != d)
                throw new IllegalArgumentException(attack + ": Byzantine row " + i + " has length " + byzantine[i].length + ", not " + d);
    }
}
