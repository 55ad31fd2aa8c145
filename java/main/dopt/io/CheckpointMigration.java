package dopt.io;

import dopt.state.StateTree;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint of an older format version rewritten into the current layout, so that it still
 * resumes, or refused naming its version where that is impossible.
 *
 * <p>Version 1 (no {@code format_version} attribute) named each part of an optimizer's chain
 * {@code <index>-<Java class>} ({@code optim/1-ScaleByAdam/mu/fc1.weight}), and FRUGAL, GaLore and
 * BAdam kept the Adam state of the parameters that are not matrices inside their own rule
 * ({@code optim/0-BlockAdam/dense/nu/fc1.bias}). Version 2 names roles
 * ({@code optim/adam/mu/fc1.weight}) and splits those methods into a partition named after the
 * method with a {@code matrices} and an {@code others} rule
 * ({@code optim/frugal/matrices/slot/0/mu}, {@code optim/frugal/others/nu/fc1.bias}).
 *
 * <p>Version 3 changed FRUGAL's blocks projector: Adam runs on a window of round(ρ·N) of the N
 * matrix coordinates instead of on round(ρ·#matrices) whole matrices, so a version-1 or -2
 * checkpoint of FRUGAL with that projector is refused; BAdam's state is the same numbers under new
 * names ({@code slot/0/mu} is {@code window/mu}; {@code slot_of_block} follows from the step).
 *
 * <p>The tables below describe files already written: they are frozen, whatever the classes and
 * roles of today become.
 */
final class CheckpointMigration {
    private CheckpointMigration() { }

    /** Version 1's chain parts, by Java class, and the role version 2 names them by. */
    private static final Map<String, String> VERSION1_ROLES = Map.ofEntries(
            Map.entry("AddDecayedWeights", "weight_decay"), Map.entry("ClipByGlobalNorm", "clip"), Map.entry("ClipGradients", "clip"),
            Map.entry("ClippedAdamDelay", "clipped_adam"), Map.entry("ClippedSstm", "clipped_sstm"), Map.entry("ScaleByAdagrad", "adagrad"),
            Map.entry("ScaleByAdagradDelay", "adagrad_delay"), Map.entry("ScaleByAdam", "adam"), Map.entry("ScaleByKate", "kate"),
            Map.entry("ScaleByLearningRate", "lr"), Map.entry("ScaleByOasis", "oasis"), Map.entry("ScaleByRms", "rmsprop"),
            Map.entry("ScaleBySign", "sign"), Map.entry("TraceMomentum", "momentum"));

    /** Version 1's rules that held the non-matrix parameters' Adam under {@code dense/}. */
    private static final Set<String> VERSION1_SPLIT_RULES = Set.of("BlockAdam", "ProjectedAdam");

    /** The optimizers (root attribute {@code optimizer}) whose version-1 state was such a rule. */
    private static final Set<String> SPLIT_OPTIMIZERS = Set.of("frugal", "galore", "badam");

    private static final Pattern VERSION1_PART = Pattern.compile("(\\d+)-([A-Z][A-Za-z0-9]*)");
    private static final Pattern VERSION1_DENSE = Pattern.compile("dense/(mu/.+|nu/.+|count)");

    private static final Pattern VERSION2_BADAM_SLOT = Pattern.compile("(.*\\bbadam/matrices)/slot/0/(mu|nu)");

    /** {@code tree} (read from {@code file}, of format {@code version}) in the current layout. */
    static StateTree toCurrent(StateTree tree, int version, Map<String, String> attributes, Path file) throws CheckpointException {
        if (version < 1 || version > Checkpoint.VERSION)
            throw new CheckpointException("checkpoint " + file + " has format version " + version + ", which this dopt cannot read (it reads 1 to "
                    + Checkpoint.VERSION + ")");
        StateTree out = new StateTree();
        for (Map.Entry<String, StateTree.Leaf> e : tree.leaves().entrySet()) {
            String path = version == 1 ? fromVersion1(e.getKey(), attributes.get("optimizer"), file) : e.getKey();
            path = fromVersion2(path, version, file);
            if (path != null) put(out, path, e.getValue());
        }
        return out;
    }

    /** A version-2 path in version 3, or null where version 3 has no such leaf. */
    static String fromVersion2(String path, int version, Path file) throws CheckpointException {
        if (path.endsWith("frugal/matrices/slot_of_block"))
            throw new CheckpointException("checkpoint " + file + " has format version " + version + " and holds '" + path + "', the state of "
                    + "FRUGAL's blocks projector, which since format version 3 gives Adam round(rho*N) of the N matrix coordinates instead of "
                    + "round(rho*#matrices) whole matrices: it cannot be carried over (resume it with the dopt that wrote it, or start again)");
        if (path.endsWith("badam/matrices/slot_of_block")) return null;
        Matcher slot = VERSION2_BADAM_SLOT.matcher(path);
        return slot.matches() ? slot.group(1) + "/window/" + slot.group(2) : path;
    }

    /** A version-1 path in version 2: its first {@code <index>-<Class>} segment renamed, the rest as it was. */
    static String fromVersion1(String path, String optimizer, Path file) throws CheckpointException {
        String[] segments = path.split("/");
        for (int i = 0; i < segments.length; i++) {
            Matcher part = VERSION1_PART.matcher(segments[i]);
            if (!part.matches()) continue;
            String head = String.join("/", java.util.Arrays.copyOfRange(segments, 0, i));
            String tail = String.join("/", java.util.Arrays.copyOfRange(segments, i + 1, segments.length));
            String cls = part.group(2), role = VERSION1_ROLES.get(cls);
            if (role != null) return join(head, role, tail);
            if (!VERSION1_SPLIT_RULES.contains(cls))
                throw refused(file, path, "its rule '" + cls + "' has no place in format version " + Checkpoint.VERSION);
            if (optimizer == null || !SPLIT_OPTIMIZERS.contains(optimizer))
                throw refused(file, path, "its rule '" + cls + "' belongs to frugal, galore or badam, and the checkpoint's optimizer is "
                        + (optimizer == null ? "not recorded" : "'" + optimizer + "'"));
            Matcher dense = VERSION1_DENSE.matcher(tail);
            return join(head, optimizer, dense.matches() ? "others/" + dense.group(1) : "matrices/" + tail);
        }
        return path;
    }

    private static String join(String head, String segment, String tail) {
        return (head.isEmpty() ? "" : head + "/") + segment + (tail.isEmpty() ? "" : "/" + tail);
    }

    private static CheckpointException refused(Path file, String path, String why) {
        return new CheckpointException("checkpoint " + file + " has format version 1 and holds '" + path + "': " + why
                + "; it cannot be migrated to format version " + Checkpoint.VERSION + " (resume it with the dopt that wrote it)");
    }

    private static void put(StateTree t, String path, StateTree.Leaf leaf) {
        if (leaf instanceof StateTree.FloatLeaf f) t.putFloats(path, f.data(), f.shape());
        else if (leaf instanceof StateTree.DoubleLeaf d) t.putDoubles(path, d.data(), d.shape());
        else if (leaf instanceof StateTree.LongLeaf l) t.putLongs(path, l.data());
        else if (leaf instanceof StateTree.StringLeaf s) t.putString(path, s.value());
    }
}
