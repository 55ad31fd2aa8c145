package dopt.io;

import dopt.state.StateTree;
import dopt.state.StateTree.DoubleLeaf;
import dopt.state.StateTree.FloatLeaf;
import dopt.state.StateTree.Leaf;
import dopt.state.StateTree.LongLeaf;
import dopt.state.StateTree.StringLeaf;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.WritableNode;
import java.io.IOException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a state tree maps onto HDF5 groups and datasets, in both directions.
 *
 * <p>Each leaf is a dataset at its slash path: float32 or float64 with the leaf's shape, int64
 * 1-D, or a scalar UTF-8 string. Every leaf node carries {@code dopt_order} (its insertion index) because
 * jhdf does not keep link creation order. Two cases jhdf 0.13 cannot write directly get a marked
 * node with the true shape in {@code dopt_shape}:
 * <ul>
 *   <li>{@code dopt_layout = "parts"}: a group holding 1-D datasets {@code part0, part1, ...}
 *       whose concatenation is the row-major data; jhdf encodes each dataset into a single
 *       ByteBuffer, so one over 2 GiB fails.</li>
 *   <li>{@code dopt_layout = "empty"}: a scalar of the leaf's type standing in for a leaf with no
 *       elements; jhdf cannot write zero-length datasets.</li>
 * </ul>
 */
final class TreeLayout {
    static final String ORDER = "dopt_order";
    static final String LAYOUT = "dopt_layout";
    static final String SHAPE = "dopt_shape";
    static final String PARTS = "parts";
    static final String EMPTY = "empty";

    private TreeLayout() {}

    /** The file cannot be read back as a state tree although it is valid HDF5. */
    static final class BadLayout extends Exception {
        private static final long serialVersionUID = 1L;

        BadLayout(String message) {
            super(message);
        }
    }

    /** Rejects trees HDF5 cannot hold, before anything is written. */
    static void check(StateTree tree) throws IOException {
        Set<String> paths = tree.leaves().keySet();
        for (Map.Entry<String, Leaf> e : tree.leaves().entrySet()) {
            String path = e.getKey();
            for (String segment : path.split("/"))
                if (segment.equals(".") || segment.equals(".."))
                    throw new IOException("state path '" + path + "' has a segment '" + segment + "', which HDF5 cannot name");
            if (path.equals(HdfFiles.LONG_ATTRIBUTES) || path.startsWith(HdfFiles.LONG_ATTRIBUTES + "/"))
                throw new IOException("state path '" + path + "' is reserved for long checkpoint attributes");
            for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1))
                if (paths.contains(path.substring(0, i)))
                    throw new IOException("state paths '" + path.substring(0, i) + "' and '" + path
                            + "' conflict: an HDF5 dataset cannot contain another entry");
            if (e.getValue() instanceof StringLeaf s && s.value().indexOf('\0') >= 0)
                throw new IOException("state entry '" + path + "' contains a NUL character, which an HDF5 string cannot hold");
            int[] shape = e.getValue() instanceof FloatLeaf f ? f.shape()
                    : e.getValue() instanceof DoubleLeaf d ? d.shape() : new int[0];
            for (int d : shape)
                if (d < 0) throw new IOException("state entry '" + path + "' has a negative dimension");
        }
    }

    /**
     * Adds every leaf of {@code tree} under {@code root}. Float and double leaves of rank 1 are handed to jhdf
     * by reference (it encodes them at close), so the tree must not change until the file is closed.
     *
     * @param partElements the most float elements one dataset may hold (longs and doubles: half of it)
     */
    static void write(WritableGroup root, StateTree tree, int partElements) throws IOException {
        check(tree);
        Map<String, WritableGroup> groups = new HashMap<>();
        groups.put("", root);
        long order = 0;
        for (Map.Entry<String, Leaf> e : tree.leaves().entrySet()) {
            String path = e.getKey();
            int slash = path.lastIndexOf('/');
            WritableGroup parent = group(groups, slash < 0 ? "" : path.substring(0, slash));
            WritableNode node = writeLeaf(parent, path.substring(slash + 1), e.getValue(), partElements);
            node.putAttribute(ORDER, order++);
        }
    }

    private static WritableGroup group(Map<String, WritableGroup> groups, String path) {
        WritableGroup g = groups.get(path);
        if (g != null) return g;
        int slash = path.lastIndexOf('/');
        WritableGroup parent = group(groups, slash < 0 ? "" : path.substring(0, slash));
        g = parent.putGroup(path.substring(slash + 1));
        groups.put(path, g);
        return g;
    }

    private static WritableNode writeLeaf(WritableGroup parent, String name, Leaf leaf, int partElements) {
        if (leaf instanceof FloatLeaf f) return writeArray(parent, name, f.data(), f.shape(), partElements);
        if (leaf instanceof DoubleLeaf d) return writeArray(parent, name, d.data(), d.shape(), Math.max(1, partElements / 2));
        if (leaf instanceof LongLeaf l)
            return writeArray(parent, name, l.data(), new int[] {l.data().length}, Math.max(1, partElements / 2));
        return parent.putDataset(name, ((StringLeaf) leaf).value());
    }

    /** {@code data} is a float[], double[] or long[]. */
    private static WritableNode writeArray(WritableGroup parent, String name, Object data, int[] shape, int partElements) {
        int n = Array.getLength(data);
        if (n == 0) {
            WritableDataset d = parent.putDataset(name, data instanceof float[] ? (Object) 0f
                    : data instanceof double[] ? (Object) 0d : (Object) 0L);
            d.putAttribute(LAYOUT, EMPTY);
            d.putAttribute(SHAPE, longs(shape));
            return d;
        }
        if (n > partElements) {
            WritableGroup g = parent.putGroup(name);
            g.putAttribute(LAYOUT, PARTS);
            g.putAttribute(SHAPE, longs(shape));
            int p = 0;
            for (long from = 0; from < n; from += partElements) {
                int length = (int) Math.min(partElements, n - from);
                Object part = Array.newInstance(data.getClass().getComponentType(), length);
                System.arraycopy(data, (int) from, part, 0, length);
                g.putDataset("part" + p++, part);
            }
            return g;
        }
        return parent.putDataset(name, shape.length == 1 ? data : nest(data, shape));
    }

    /** jhdf takes n-D data only as nested Java arrays; a rank-0 shape becomes a scalar. */
    private static Object nest(Object flat, int[] shape) {
        if (shape.length == 0) return Array.get(flat, 0);
        Object out = Array.newInstance(flat.getClass().getComponentType(), shape);
        fill(out, flat, shape.length, shape[shape.length - 1], new int[1]);
        return out;
    }

    private static void fill(Object nested, Object flat, int depth, int row, int[] offset) {
        if (depth == 1) {
            System.arraycopy(flat, offset[0], nested, 0, row);
            offset[0] += row;
            return;
        }
        for (int i = 0, n = Array.getLength(nested); i < n; i++) fill(Array.get(nested, i), flat, depth - 1, row, offset);
    }

    private static long[] longs(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) out[i] = shape[i];
        return out;
    }

    private record Entry(long order, String path, Leaf leaf) {}

    /** Rebuilds the tree under {@code root}, in the written insertion order. */
    static StateTree read(Group root) throws BadLayout {
        List<Entry> entries = new ArrayList<>();
        for (Node n : root)
            if (!n.getName().equals(HdfFiles.LONG_ATTRIBUTES)) collect(n, "", entries);
        entries.sort(Comparator.comparingLong(Entry::order).thenComparing(Entry::path));
        StateTree tree = new StateTree();
        for (Entry e : entries) {
            try {
                if (e.leaf() instanceof FloatLeaf f) tree.putFloats(e.path(), f.data(), f.shape());
                else if (e.leaf() instanceof DoubleLeaf d) tree.putDoubles(e.path(), d.data(), d.shape());
                else if (e.leaf() instanceof LongLeaf l) tree.putLongs(e.path(), l.data());
                else tree.putString(e.path(), ((StringLeaf) e.leaf()).value());
            } catch (IllegalArgumentException ex) {
                throw new BadLayout("entry " + e.path() + ": " + ex.getMessage());
            }
        }
        return tree;
    }

    private static void collect(Node n, String prefix, List<Entry> out) throws BadLayout {
        String path = prefix.isEmpty() ? n.getName() : prefix + "/" + n.getName();
        Long order = HdfFiles.longAttribute(n, ORDER);
        long o = order == null ? Long.MAX_VALUE : order;
        String layout = HdfFiles.textAttribute(n, LAYOUT);
        if (n instanceof Dataset d) out.add(new Entry(o, path, dataset(d, path, layout)));
        else if (n instanceof Group g && PARTS.equals(layout)) out.add(new Entry(o, path, parts(g, path)));
        else if (n instanceof Group g) for (Node child : g) collect(child, path, out);
        else throw new BadLayout(path + " is neither a group nor a dataset");
    }

    private static Leaf dataset(Dataset d, String path, String layout) throws BadLayout {
        Object flat = d.getDataFlat();
        if (EMPTY.equals(layout)) {
            int[] shape = shape(d, path);
            if (flat instanceof float[]) return new FloatLeaf(new float[0], shape);
            if (flat instanceof double[]) return new DoubleLeaf(new double[0], shape);
            if (flat instanceof long[]) return new LongLeaf(new long[0]);
        } else if (flat instanceof float[] f) {
            return new FloatLeaf(f, d.getDimensions());
        } else if (flat instanceof double[] f) {
            return new DoubleLeaf(f, d.getDimensions());
        } else if (flat instanceof long[] l) {
            if (d.getDimensions().length > 1) throw new BadLayout(path + " is an int64 dataset of rank " + d.getDimensions().length + "; only 1-D is a state entry");
            return new LongLeaf(l);
        } else if (flat instanceof String[] s && s.length == 1) {
            return new StringLeaf(s[0]);
        }
        throw new BadLayout(path + " has type " + HdfFiles.dtypeName(d.getDataType()) + " and shape "
                + java.util.Arrays.toString(d.getDimensions()) + ", which no state entry has");
    }

    private static Leaf parts(Group g, String path) throws BadLayout {
        int[] shape = shape(g, path);
        long total = 1;
        for (int s : shape) total *= s;
        Map<String, Node> children = g.getChildren();
        List<Object> parts = new ArrayList<>();
        for (int p = 0; children.get("part" + p) instanceof Dataset d; p++) parts.add(d.getDataFlat());
        if (parts.size() != children.size()) throw new BadLayout(path + " holds entries other than part0.." + (parts.size() - 1));
        if (parts.isEmpty() || total > Integer.MAX_VALUE) throw new BadLayout(path + " has no parts or an impossible shape");
        Object whole = Array.newInstance(parts.get(0).getClass().getComponentType(), (int) total);
        int at = 0;
        for (Object part : parts) {
            int n = Array.getLength(part);
            if (part.getClass() != whole.getClass() || at + (long) n > total)
                throw new BadLayout(path + ": parts do not add up to shape " + java.util.Arrays.toString(shape));
            System.arraycopy(part, 0, whole, at, n);
            at += n;
        }
        if (at != total) throw new BadLayout(path + ": parts hold " + at + " elements, shape needs " + total);
        if (whole instanceof float[] f) return new FloatLeaf(f, shape);
        if (whole instanceof double[] f) return new DoubleLeaf(f, shape);
        if (whole instanceof long[] l) return new LongLeaf(l);
        throw new BadLayout(path + ": parts of type " + whole.getClass().getComponentType() + " are not a state entry");
    }

    private static int[] shape(Node n, String path) throws BadLayout {
        long[] s = HdfFiles.longsAttribute(n, SHAPE);
        if (s == null) throw new BadLayout(path + " lacks its " + SHAPE + " attribute");
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0 || s[i] > Integer.MAX_VALUE) throw new BadLayout(path + " has an impossible shape");
            out[i] = (int) s[i];
        }
        return out;
    }
}
