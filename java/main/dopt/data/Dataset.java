package dopt.data;

/**
 * A labelled data set in memory: {@code x} holds {@code n} rows of {@code dim} features
 * (row-major; pixels scaled to [0, 1]), {@code y} the class of each row.
 */
public record Dataset(String name, float[] x, int[] y, int n, int dim, int classes) {
    public Dataset {
        if (x.length != (long) n * dim || y.length != n) throw new IllegalArgumentException("inconsistent data set " + name);
    }

    /** The rows whose label is one of {@code labels}, in their order (e.g. a client's label distribution of a test set). */
    public Dataset withLabels(java.util.Collection<Integer> labels) {
        java.util.Set<Integer> keep = new java.util.HashSet<>(labels);
        int m = 0;
        for (int label : y) if (keep.contains(label)) m++;
        float[] xs = new float[m * dim];
        int[] ys = new int[m];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!keep.contains(y[i])) continue;
            System.arraycopy(x, i * dim, xs, k * dim, dim);
            ys[k++] = y[i];
        }
        return new Dataset(name + " (labels " + new java.util.TreeSet<>(keep) + ")", xs, ys, m, dim, classes);
    }
}
