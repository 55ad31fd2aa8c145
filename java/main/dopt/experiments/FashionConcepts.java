package dopt.experiments;

/**
 * A fixed, human-readable concept table for the ten Fashion-MNIST classes (our stand-in for the
 * LLM-generated concept sets of Sparse-CBM, Semenov et al. 2024): concept j describes class k when
 * {@code HAS[k][j] = 1}. Written by hand from the class names and a look at the images, before any
 * run; every class has a different set, so the concepts alone determine the class.
 *
 * <pre>
 *                  upper long short legs two  one  front collar thick foot open ankle laces heel handle summer
 *   T-shirt/top      1    0    1    0    0    0    0     0      0    0    0    0     0     0    0      1
 *   Trouser          0    0    0    1    1    0    0     0      0    0    0    0     0     0    0      0
 *   Pullover         1    1    0    0    0    0    0     0      1    0    0    0     0     0    0      0
 *   Dress            0    0    1    1    0    1    0     0      0    0    0    0     0     0    0      1
 *   Coat             1    1    0    0    0    0    1     1      1    0    0    0     0     0    0      0
 *   Sandal           0    0    0    0    0    0    0     0      0    1    1    0     0     1    0      1
 *   Shirt            1    1    0    0    0    0    1     1      0    0    0    0     0     0    0      0
 *   Sneaker          0    0    0    0    0    0    0     0      0    1    0    0     1     0    0      0
 *   Bag              0    0    0    0    0    0    0     0      0    0    0    0     0     0    1      0
 *   Ankle boot       0    0    0    0    0    0    0     0      1    1    0    1     0     1    0      0
 * </pre>
 */
final class FashionConcepts {
    private FashionConcepts() { }

    static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    static final String[] CONCEPTS = {"upper-body garment", "long sleeves", "short sleeves or sleeveless", "covers the legs",
        "two trouser legs", "one-piece", "front opening (buttons/zip)", "collar", "thick/warm", "footwear", "open/strappy",
        "covers the ankle", "laces", "has a heel", "has a handle", "summer wear"};

    static final int[][] HAS = {
        {1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        {0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1},
        {1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0},
        {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0},
    };

    static int count(int k) {
        int m = 0;
        for (int v : HAS[k]) m += v;
        return m;
    }

    /** Row i = the concept vector of {@code y[i]} (n × C, 0/1). */
    static float[] targets(int[] y, int n) {
        int c = CONCEPTS.length;
        float[] t = new float[n * c];
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) t[i * c + j] = HAS[y[i]][j];
        return t;
    }
}
