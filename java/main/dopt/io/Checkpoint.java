package dopt.io;

import dopt.state.StateTree;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints: the whole state tree in one standard HDF5 file, with a checksum over its contents.
 *
 * <p>Layout: each leaf is a dataset at its slash path (see {@link TreeLayout} for the two special
 * cases); root attributes {@code format} (what kind of file), {@code format_version} (its layout),
 * {@code checksum_sha256}, {@code created} and the caller's own (step, job name, ...). The file is
 * written to a temporary name and renamed, so a crash never leaves a half-written file under a
 * checkpoint name. A checkpoint of an older layout is read into the current one
 * ({@link CheckpointMigration}).
 */
public final class Checkpoint {
    /** Value of the root attribute {@code format}: a dopt checkpoint, whatever its layout. */
    public static final String FORMAT = "dopt-checkpoint-1";
    public static final String FORMAT_ATTRIBUTE = "format";
    /**
     * The layout, root attribute {@code format_version}: 1 (the attribute absent) named optimizer
     * state by Java class, 2 names it by role, 3 has FRUGAL's blocks projector by parameter count.
     * Bumped with a migration when state paths or their meaning change.
     */
    public static final int VERSION = 3;
    public static final String VERSION_ATTRIBUTE = "format_version";
    public static final String CHECKSUM_ATTRIBUTE = "checksum_sha256";
    public static final String CREATED_ATTRIBUTE = "created";

    /** Root attribute names the checkpoint sets itself. */
    static final Set<String> RESERVED = Set.of(FORMAT_ATTRIBUTE, VERSION_ATTRIBUTE, CHECKSUM_ATTRIBUTE, CREATED_ATTRIBUTE, HdfFiles.JHDF_STAMP);

    /** 2^28 floats = 1 GiB per dataset, safely under jhdf's 2 GiB single-buffer limit. */
    static final int PART_ELEMENTS = 1 << 28;

    private static final Pattern STEP = Pattern.compile("[-_]?(\\d{1,18})\\.h5");

    private Checkpoint() {}

    /**
     * A checkpoint read back: the state tree in its original insertion order, and every root
     * attribute (the caller's plus {@code format}, {@code checksum_sha256}, {@code created}).
     *
     * @param attributes each attribute as text, numbers as Java prints them ("300"), whether the
     *                   file holds them as numbers or, written before attributes were typed, as text
     * @param values     each attribute as stored: String, Long (int64) or Double (float64)
     */
    public record Loaded(StateTree tree, Map<String, String> attributes, Map<String, Object> values) {
        /** A whole-number attribute, stored as int64 or (older files) as decimal text; null if absent. */
        public Long longValue(String name) {
            Object v = values.get(name);
            if (v == null) return null;
            if (v instanceof Long l) return l;
            try {
                return Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("checkpoint attribute '" + name + "' is not a whole number: " + v, e);
            }
        }
    }

    /**
     * Writes {@code tree} to {@code file} atomically, replacing any file there. The tree's float
     * buffers are read while the file is written, so they must not change until this returns.
     *
     * @param attributes extra root attributes, e.g. "step" (a Long) and "job_name" (a String):
     *                   Strings are written as UTF-8 text, Long and Integer as int64, Double and
     *                   Float as float64; must not use the reserved names format, checksum_sha256, created
     * @throws IOException naming {@code file} if it cannot be written; no temporary file is left
     *                     behind and whatever was at {@code file} before is unchanged
     * @throws IllegalArgumentException if {@code attributes} uses a reserved name
     */
    public static void write(StateTree tree, Path file, Map<String, ?> attributes) throws IOException {
        write(tree, file, attributes, PART_ELEMENTS);
    }

    /** As {@link #write(StateTree, Path, Map)}, with tests choosing when a leaf is split into parts. */
    static void write(StateTree tree, Path file, Map<String, ?> attributes, int partElements) throws IOException {
        Objects.requireNonNull(tree, "tree");
        Map<String, ?> extra = attributes == null ? Map.of() : attributes;
        for (String key : extra.keySet())
            if (RESERVED.contains(key))
                throw new IllegalArgumentException("checkpoint attribute '" + key + "' is reserved; reserved names are " + RESERVED);
        try {
            TreeLayout.check(tree); // before hashing, which may take seconds
        } catch (IOException e) {
            throw new IOException("cannot write checkpoint " + file.toAbsolutePath().normalize() + ": " + e.getMessage(), e);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put(FORMAT_ATTRIBUTE, FORMAT);
        root.put(VERSION_ATTRIBUTE, (long) VERSION);
        // the checksum covers the tree only: attributes may change type or text without touching it
        root.put(CHECKSUM_ATTRIBUTE, StateChecksum.sha256(tree));
        root.put(CREATED_ATTRIBUTE, Instant.now().toString());
        root.putAll(extra);
        HdfFiles.writeAtomically(file, "checkpoint", root, (out, text) -> TreeLayout.write(out, tree, partElements));
    }

    /**
     * Reads and verifies a checkpoint; one of an older format version comes back in the current
     * layout (its attributes as written).
     *
     * @throws CheckpointException if the file is missing, truncated, not HDF5, not a dopt
     *                             checkpoint, its contents do not match the stored checksum, or its
     *                             format version cannot be read into the current one (the message names it)
     */
    public static Loaded read(Path file) throws CheckpointException {
        HdfFile h;
        try {
            h = HdfFiles.open(file, "checkpoint");
        } catch (IOException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
        try (h) {
            Map<String, Object> values = HdfFiles.rootAttributes(h);
            Map<String, String> attributes = HdfFiles.asText(values);
            String format = attributes.get(FORMAT_ATTRIBUTE);
            if (format == null)
                throw new CheckpointException("checkpoint " + file + " has no '" + FORMAT_ATTRIBUTE + "' attribute: it is HDF5 but not a dopt checkpoint");
            if (!format.equals(FORMAT))
                throw new CheckpointException("checkpoint " + file + " has format '" + format + "', expected '" + FORMAT + "'");
            String stored = attributes.get(CHECKSUM_ATTRIBUTE);
            if (stored == null) throw new CheckpointException("checkpoint " + file + " has no '" + CHECKSUM_ATTRIBUTE + "' attribute");
            StateTree tree = TreeLayout.read(h);
            String computed = StateChecksum.sha256(tree);
            if (!computed.equalsIgnoreCase(stored))
                throw new CheckpointException("checkpoint " + file + " is corrupted: checksum mismatch (stored " + stored
                        + ", computed " + computed + ")");
            int version = version(attributes, file);
            if (version != VERSION) tree = CheckpointMigration.toCurrent(tree, version, attributes, file);
            return new Loaded(tree, Collections.unmodifiableMap(attributes), Collections.unmodifiableMap(values));
        } catch (TreeLayout.BadLayout e) {
            throw new CheckpointException("checkpoint " + file + " is not a valid dopt checkpoint: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // jhdf reads lazily: damage past the superblock surfaces here, as its own exceptions
            throw new CheckpointException(HdfFiles.unreadable(file, "checkpoint", HdfFiles.reason(e)), e);
        }
    }

    private static int version(Map<String, String> attributes, Path file) throws CheckpointException {
        String v = attributes.get(VERSION_ATTRIBUTE);
        if (v == null) return 1;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new CheckpointException("checkpoint " + file + " has format version '" + v + "', not a number");
        }
    }

    /** The file name {@link #latestValid} understands: {@code prefix} + 6-digit step + ".h5". */
    public static String fileName(String prefix, long step) {
        return String.format(Locale.ROOT, "%s%06d.h5", prefix, step);
    }

    /**
     * The newest checkpoint in {@code dir} that reads and verifies, by the step number in names
     * like {@code ckpt-000100.h5} (prefix "ckpt-"). Damaged files are skipped with a warning on
     * System.err; temporary files (*.tmp) are ignored. Verifying reads each candidate in full.
     *
     * @return empty if {@code dir} does not exist or holds no valid checkpoint
     * @throws UncheckedIOException if {@code dir} exists but cannot be listed
     */
    public static Optional<Path> latestValid(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) return Optional.empty();
        record Candidate(Path file, long step) {}
        List<Candidate> candidates = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix) || name.endsWith(".tmp")) return;
                Matcher m = STEP.matcher(name.substring(prefix.length()));
                if (m.matches()) candidates.add(new Candidate(p, Long.parseLong(m.group(1))));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoint directory " + dir, e);
        }
        candidates.sort(Comparator.comparingLong(Candidate::step).reversed()
                .thenComparing(c -> c.file().getFileName().toString(), Comparator.reverseOrder()));
        for (Candidate c : candidates) {
            try {
                read(c.file());
                return Optional.of(c.file());
            } catch (CheckpointException e) {
                System.err.println("dopt: warning: skipping " + c.file().getFileName() + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }
}
