package dopt.data;

/**
 * Labelled documents as raw bytes (for byte-level text classification): document i occupies
 * {@code bytes[start[i] .. start[i+1])} and has class {@code label[i]}; {@code group[i]} names the
 * part of the original collection it came from and {@code id[i]} identifies it there.
 */
public record LabelledTexts(String name, byte[] bytes, int[] start, int[] label, String[] group, String[] id, int classes) {
    public LabelledTexts {
        int n = label.length;
        if (start.length != n + 1 || group.length != n || id.length != n || start[0] != 0 || start[n] != bytes.length)
            throw new IllegalArgumentException("inconsistent text data set " + name);
        for (int i = 0; i < n; i++) {
            if (start[i + 1] < start[i]) throw new IllegalArgumentException(name + ": document " + id[i] + " ends before it starts");
            if (label[i] < 0 || label[i] >= classes) throw new IllegalArgumentException(name + ": label " + label[i] + " outside 0.." + (classes - 1));
        }
    }

    public int n() { return label.length; }

    public int length(int doc) { return start[doc + 1] - start[doc]; }
}
