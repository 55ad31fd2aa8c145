package dopt.state;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The one named tree of all training state: parameters, optimizer moments, error-feedback
 * buffers, RNG states, data-loader positions, the step counter and the job itself.
 *
 * <p>Paths are slash-separated ({@code "params/fc1.weight"}, {@code "optim/adam/mu/fc1.weight"},
 * {@code "ranks/1/rng"}); the checkpoint writes each leaf as an HDF5 dataset at that path, so a
 * path segment must not be empty and must not contain characters HDF5 rejects. Leaves are held
 * by reference: a {@link FloatLeaf} registered here is the live buffer the optimizer updates (a
 * {@link DoubleLeaf} the live iterate of a method that works in double precision), so
 * checkpointing never copies state into a second structure first.
 *
 * <p>Insertion order is preserved; the checkpoint checksum is computed in that order.
 */
public final class StateTree {

    /** A leaf of the tree. */
    public sealed interface Leaf permits FloatLeaf, DoubleLeaf, LongLeaf, StringLeaf {}

    /** A float tensor: flat row-major data and its shape (product of shape == data.length). */
    public record FloatLeaf(float[] data, int[] shape) implements Leaf {
        public FloatLeaf {
            checkShape(Objects.requireNonNull(data).length, shape);
        }
    }

    /** A float64 tensor, as {@link FloatLeaf}: iterates, chain states and momenta of double-precision methods. */
    public record DoubleLeaf(double[] data, int[] shape) implements Leaf {
        public DoubleLeaf {
            checkShape(Objects.requireNonNull(data).length, shape);
        }
    }

    /** A tensor's shape must hold exactly its {@code length} elements. */
    private static void checkShape(int length, int[] shape) {
        Objects.requireNonNull(shape);
        long n = 1;
        for (int d : shape) n *= d;
        if (n != length) throw new IllegalArgumentException("shape product " + n + " != data length " + length);
    }

    /** A vector of 64-bit integers (step counters, RNG words, loader positions). */
    public record LongLeaf(long[] data) implements Leaf {
        public LongLeaf { Objects.requireNonNull(data); }
    }

    /** A UTF-8 string (the job JSON, names of rules). */
    public record StringLeaf(String value) implements Leaf {
        public StringLeaf { Objects.requireNonNull(value); }
    }

    private final Map<String, Leaf> leaves = new LinkedHashMap<>();

    /** Registers (or replaces) a float tensor at {@code path}; returns {@code data} for chaining. */
    public float[] putFloats(String path, float[] data, int... shape) {
        leaves.put(checkPath(path), new FloatLeaf(data, shape.length == 0 ? new int[] {data.length} : shape.clone()));
        return data;
    }

    /** Registers (or replaces) a double tensor at {@code path}; returns {@code data} for chaining. */
    public double[] putDoubles(String path, double[] data, int... shape) {
        leaves.put(checkPath(path), new DoubleLeaf(data, shape.length == 0 ? new int[] {data.length} : shape.clone()));
        return data;
    }

    public long[] putLongs(String path, long... data) {
        leaves.put(checkPath(path), new LongLeaf(data));
        return data;
    }

    public void putString(String path, String value) {
        leaves.put(checkPath(path), new StringLeaf(value));
    }

    public boolean contains(String path) { return leaves.containsKey(path); }

    public Leaf get(String path) {
        Leaf l = leaves.get(path);
        if (l == null) throw new IllegalArgumentException("state tree has no entry '" + path + "'");
        return l;
    }

    public float[] floats(String path) { return as(path, FloatLeaf.class).data(); }

    public double[] doubles(String path) { return as(path, DoubleLeaf.class).data(); }

    /** The shape of the float or double tensor at {@code path}. */
    public int[] shape(String path) {
        return get(path) instanceof DoubleLeaf d ? d.shape() : as(path, FloatLeaf.class).shape();
    }

    public long[] longs(String path) { return as(path, LongLeaf.class).data(); }

    public String string(String path) { return as(path, StringLeaf.class).value(); }

    /** All leaves in insertion order (read-only view). */
    public Map<String, Leaf> leaves() { return Collections.unmodifiableMap(leaves); }

    /** Removes every leaf whose path starts with {@code prefix}. */
    public void removePrefix(String prefix) {
        leaves.keySet().removeIf(p -> p.startsWith(prefix));
    }

    /**
     * Copies the contents of every leaf of {@code source} into the buffer registered under the same
     * path here, and adds leaves this tree lacks. Used on resume: live buffers keep their identity,
     * so objects holding them see the restored values. The whole of {@code source} is checked
     * first: a leaf of another kind than the live one, or of another shape (length for long
     * vectors), throws {@link IllegalStateException} before anything is copied, so a failed restore
     * leaves this tree as it was instead of half restored or holding a swapped buffer.
     */
    public void restoreFrom(StateTree source) {
        for (Map.Entry<String, Leaf> e : source.leaves.entrySet()) checkRestorable(e.getKey(), leaves.get(e.getKey()), e.getValue());
        for (Map.Entry<String, Leaf> e : source.leaves.entrySet()) {
            Leaf mine = leaves.get(e.getKey()), theirs = e.getValue();
            if (mine instanceof FloatLeaf m && theirs instanceof FloatLeaf t) {
                System.arraycopy(t.data(), 0, m.data(), 0, t.data().length);
            } else if (mine instanceof DoubleLeaf m && theirs instanceof DoubleLeaf t) {
                System.arraycopy(t.data(), 0, m.data(), 0, t.data().length);
            } else if (mine instanceof LongLeaf m && theirs instanceof LongLeaf t) {
                System.arraycopy(t.data(), 0, m.data(), 0, t.data().length);
            } else {
                // a leaf this tree lacks, or a string (immutable, so replacing it swaps no live buffer)
                leaves.put(e.getKey(), theirs);
            }
        }
    }

    private static void checkRestorable(String path, Leaf mine, Leaf theirs) {
        if (mine == null) return;
        if (mine.getClass() != theirs.getClass())
            throw new IllegalStateException("checkpoint entry '" + path + "' is a " + theirs.getClass().getSimpleName()
                    + " but the job's is a " + mine.getClass().getSimpleName());
        if (mine instanceof FloatLeaf m) checkShape(path, m.shape(), ((FloatLeaf) theirs).shape());
        else if (mine instanceof DoubleLeaf m) checkShape(path, m.shape(), ((DoubleLeaf) theirs).shape());
        else if (mine instanceof LongLeaf m && m.data().length != ((LongLeaf) theirs).data().length)
            throw new IllegalStateException("checkpoint entry '" + path + "' holds " + ((LongLeaf) theirs).data().length
                    + " longs but the job expects " + m.data().length);
    }

    private static void checkShape(String path, int[] mine, int[] theirs) {
        if (!java.util.Arrays.equals(mine, theirs))
            throw new IllegalStateException("checkpoint entry '" + path + "' has shape "
                    + java.util.Arrays.toString(theirs) + " but the job expects " + java.util.Arrays.toString(mine));
    }

    private <T extends Leaf> T as(String path, Class<T> kind) {
        Leaf l = get(path);
        if (!kind.isInstance(l))
            throw new IllegalArgumentException("state entry '" + path + "' is a " + l.getClass().getSimpleName()
                    + ", not a " + kind.getSimpleName());
        return kind.cast(l);
    }

    private static String checkPath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//"))
            throw new IllegalArgumentException("bad state path '" + path + "'");
        return path;
    }
}
