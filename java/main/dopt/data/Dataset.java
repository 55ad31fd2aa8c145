package dopt.data;

/**
 * A labelled data set in memory: {@code x} holds {@code n} rows of {@code dim} features
 * (row-major; pixels scaled to [0, 1]), {@code y} the class of each row.
 */
public record Dataset(String name, float[] x, int[] y, int n, int dim, int classes) {
    public Dataset {
        if (x.length != (long) n * dim || y.length != n) throw new IllegalArgumentException("inconsistent data set " + name);
    }
}
