package dopt.compress;

import dopt.random.Rng;

/**
 * Keeps the k entries of largest magnitude (ties: lower index first). Contractive with α = k/d.
 * Wire: k int32 indices + k float32 values. Selection by quickselect on magnitudes in a reused
 * buffer (expected O(d), no sorting).
 */
public final class TopK implements Compressor {
    private final double fraction;
    private float[] mags = new float[0];
    /** Indices met so far in the message being checked; all false between calls. */
    private boolean[] seen = new boolean[0];

    /** {@code fraction} of the coordinates kept, at least one. */
    public TopK(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("top-k fraction must be in (0, 1]: " + fraction);
        this.fraction = fraction;
    }

    int k(int n) { return Math.max(1, (int) Math.round(fraction * n)); }

    @Override
    public long compress(float[] x, float[] out, int n, Rng rng) {
        int k = k(n);
        if (mags.length < n) mags = new float[n];
        for (int i = 0; i < n; i++) mags[i] = Math.abs(x[i]);
        float threshold = kthLargest(mags, n, k);
        // entries strictly above the threshold all stay; entries equal to it fill the rest in index order
        int above = 0;
        for (int i = 0; i < n; i++) if (Math.abs(x[i]) > threshold) above++;
        int ties = k - above;
        for (int i = 0; i < n; i++) {
            float a = Math.abs(x[i]);
            if (a > threshold) out[i] = x[i];
            else if (a == threshold && ties > 0) {
                out[i] = x[i];
                ties--;
            } else out[i] = 0f;
        }
        return 8L * k;
    }

    /** The k-th largest of a[0, n) (Hoare's quickselect with a middle pivot; reorders a). Public for the CPU backend's top-k. */
    public static float kthLargest(float[] a, int n, int k) {
        int lo = 0, hi = n - 1, target = k - 1;
        while (lo < hi) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] > pivot) i++;
                while (a[j] < pivot) j--;
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return a[target];
        }
        return a[target];
    }

    /** k (index, value) pairs: the non-zeros first, then zeros to make up k when x had fewer non-zeros. */
    @Override
    public void encode(float[] compressed, int n, java.nio.ByteBuffer out) {
        int k = k(n), written = 0;
        for (int i = 0; i < n && written < k; i++)
            if (compressed[i] != 0f) {
                out.putInt(i).putFloat(compressed[i]);
                written++;
            }
        for (int i = 0; written < k; i++)
            if (compressed[i] == 0f) {
                out.putInt(i).putFloat(0f);
                written++;
            }
    }

    /**
     * Checks the whole message first (exactly k pairs, every index in [0, n) and none twice),
     * then adds; a bad message throws {@link MalformedMessageException} with {@code acc} untouched.
     * Values are not checked: a non-finite one is what a non-finite gradient compresses to, and the
     * trainer's non-finite check stops every rank alike on it.
     */
    @Override
    public void decodeAdd(java.nio.ByteBuffer in, int n, float[] acc, float weight) {
        int k = k(n);
        WireCheck.length(in, 8L * k, this, n);
        checkIndices(in, n, k);
        for (int j = 0; j < k; j++) {
            int i = in.getInt();
            acc[i] += weight * in.getFloat();
        }
    }

    /** Reads the k indices in place (the position does not move); {@link #seen} is all false again afterwards. */
    private void checkIndices(java.nio.ByteBuffer in, int n, int k) {
        if (seen.length < n) seen = new boolean[n];
        int base = in.position(), j = 0;
        String why = null;
        for (; j < k; j++) {
            int i = in.getInt(base + 8 * j);
            if (i < 0 || i >= n) why = "index " + i + " is outside [0, " + n + ")";
            else if (seen[i]) why = "index " + i + " comes twice";
            if (why != null) break;
            seen[i] = true;
        }
        for (int c = 0; c < j; c++) seen[in.getInt(base + 8 * c)] = false;
        if (why != null) throw new MalformedMessageException(name() + ": " + why + " (pair " + j + " of " + k + ")");
    }

    @Override public long wireBytes(int n) { return 8L * k(n); }
    @Override public double alpha(int n) { return (double) k(n) / n; }
    @Override public double omega(int n) { return Double.NaN; }
    @Override public String name() { return "topk(" + fraction * 100 + "%)"; }
}
