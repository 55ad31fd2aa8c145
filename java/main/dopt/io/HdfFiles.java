package dopt.io;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What checkpoints and traces share: writing a whole HDF5 file atomically, opening one with errors
 * that say what is wrong with the file, and writing and reading typed root attributes.
 */
final class HdfFiles {
    /** jhdf stamps every file it writes with this root attribute; it is not ours to report. */
    static final String JHDF_STAMP = "_jHDF";

    /**
     * Root group in which files written before attributes were typed kept attribute values over
     * 16 KiB as scalar string datasets: jhdf's fixed-length attributes live in the object header,
     * which jhdf 0.13 silently made unreadable past about 59 KB. Variable-length text keeps only
     * 16 bytes per value in the header, so nothing is written here any more; it is still read.
     */
    static final String LONG_ATTRIBUTES = "dopt_attributes";

    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private HdfFiles() {}

    /** Fills a file that jhdf writes in one go when it is closed; {@code text} adds attributes that h5py reads as str. */
    @FunctionalInterface
    interface Body {
        void fill(WritableHdfFile out, TextAttributes text) throws IOException;
    }

    /**
     * Writes {@code file} so that readers see either the old file or the complete new one: jhdf
     * writes a temporary file in the same directory (a rename is atomic only within one file
     * system), which is forced to disk before it is renamed over {@code file}.
     *
     * @param noun           what the file is, for the error message ("checkpoint", "trace")
     * @param rootAttributes the root group's attributes, see {@link #putRootAttributes}
     * @throws IOException naming {@code file} if anything fails; the temporary file is gone then
     */
    static void writeAtomically(Path file, String noun, Map<String, ?> rootAttributes, Body body) throws IOException {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        // a fresh name every time: jhdf opens without TRUNCATE_EXISTING, so a leftover file of the
        // same name would keep its stale tail
        Path tmp = dir.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
        boolean moved = false;
        try {
            Files.createDirectories(dir);
            TextAttributes text;
            try (WritableHdfFile out = HdfFile.write(tmp)) {
                text = putRootAttributes(out, rootAttributes);
                body.fill(out, text);
            }
            text.finish(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            forceDirectory(dir);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot write " + noun + " " + target + ": " + reason(e), e);
        } finally {
            if (!moved) deleteQuietly(tmp);
        }
    }

    /** Makes the rename itself durable; not every file system lets a directory be forced, and that is fine. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // the data is on disk already; only the directory entry may lag after a power cut
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the original failure is the one worth reporting
        }
    }

    /**
     * Opens an HDF5 file for reading.
     *
     * @param noun what the file should be, for the error message ("checkpoint", "trace", "file")
     * @throws IOException "NOUN FILE does not exist" or "NOUN FILE is truncated or not an HDF5 file (N bytes): why"
     */
    static HdfFile open(Path file, String noun) throws IOException {
        if (!Files.exists(file)) throw new IOException(noun + " " + file + " does not exist");
        if (!Files.isRegularFile(file)) throw new IOException(noun + " " + file + " is not a regular file");
        String problem = structuralProblem(file);
        if (problem != null) throw new IOException(unreadable(file, noun, problem));
        try {
            return new HdfFile(file);
        } catch (RuntimeException e) {
            throw new IOException(unreadable(file, noun, reason(e)), e);
        }
    }

    /** The message for a file jhdf cannot make sense of; it reads lazily, so callers use it for late failures too. */
    static String unreadable(Path file, String noun, String why) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = -1;
        }
        return noun + " " + file + " is truncated or not an HDF5 file (" + size + " bytes): " + why;
    }

    /**
     * Checks the superblock against the file length before jhdf reads it, so that a truncated
     * file is named as such instead of failing somewhere inside jhdf with a buffer error.
     *
     * @return null if the file looks like a complete HDF5 file, otherwise what is wrong with it
     */
    static String structuralProblem(Path file) throws IOException {
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // the superblock may follow a user block of 512, 1024, 2048, ... bytes
            for (long at = 0; at + SIGNATURE.length <= size; at = at == 0 ? 512 : at * 2) {
                ByteBuffer head = readAt(ch, at, 64);
                if (head.remaining() >= SIGNATURE.length && hasSignature(head)) return superblockProblem(head, size);
            }
        }
        return size == 0 ? "the file is empty" : "no HDF5 signature";
    }

    private static ByteBuffer readAt(FileChannel ch, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
            // keep reading: a positional read may return fewer bytes than asked
        }
        return b.flip();
    }

    private static boolean hasSignature(ByteBuffer head) {
        for (int i = 0; i < SIGNATURE.length; i++) if (head.get(i) != SIGNATURE[i]) return false;
        return true;
    }

    /** Field offsets from the HDF5 format specification, superblock versions 0 to 3. */
    private static String superblockProblem(ByteBuffer head, long size) {
        if (head.limit() < 16) return "the file ends inside the superblock";
        int version = head.get(8) & 0xff;
        int offsets;
        int baseAt;
        switch (version) {
            case 0, 1 -> { offsets = head.get(13) & 0xff; baseAt = version == 0 ? 24 : 28; }
            case 2, 3 -> { offsets = head.get(9) & 0xff; baseAt = 12; }
            default -> { return null; } // a newer layout: let jhdf judge it
        }
        if (offsets != 4 && offsets != 8) return null;
        int eofAt = baseAt + 2 * offsets;
        if (head.limit() < eofAt + offsets) return "the file ends inside the superblock";
        long base = offsets == 8 ? head.getLong(baseAt) : Integer.toUnsignedLong(head.getInt(baseAt));
        long eof = offsets == 8 ? head.getLong(eofAt) : Integer.toUnsignedLong(head.getInt(eofAt));
        if (base < 0 || eof < 0 || eof == 0xffffffffL) return null; // undefined address: nothing to compare
        if (size < base + eof)
            return "the superblock says the file is " + (base + eof) + " bytes long but it has only " + size;
        return null;
    }

    /** The most specific description of a failure: the root cause carries "No space left on device". */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof FileSystemException fse) {
            String what = fse.getClass().getSimpleName().replace("Exception", "");
            return fse.getReason() != null ? fse.getMessage() : what + ": " + fse.getFile();
        }
        String m = root.getMessage();
        if (m == null || m.isBlank()) return root.getClass().getSimpleName();
        return root == e || root instanceof IOException ? m : e.getMessage() + " (" + m + ")";
    }

    /**
     * Writes the root attributes by type, as h5py users expect them: a String as a variable-length
     * UTF-8 string (h5py: {@code str}), a Long or Integer as int64, a Double or Float as float64.
     */
    private static TextAttributes putRootAttributes(WritableHdfFile out, Map<String, ?> attributes) throws IOException {
        TextAttributes text = new TextAttributes();
        for (Map.Entry<String, ?> e : attributes.entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            if (name.isBlank()) throw new IOException("attribute names must not be blank");
            if (value instanceof String s) {
                if (s.indexOf('\0') >= 0) throw new IOException("attribute '" + name + "' contains a NUL character, which an HDF5 string cannot hold");
                text.put(out, name, s);
            } else if (value instanceof Long || value instanceof Integer) {
                out.putAttribute(name, ((Number) value).longValue());
            } else if (value instanceof Double || value instanceof Float) {
                out.putAttribute(name, ((Number) value).doubleValue());
            } else {
                throw new IOException("attribute '" + name + "' must be text, a whole number or a real number, not "
                        + (value == null ? "null" : value.getClass().getSimpleName()));
            }
        }
        return text;
    }

    /**
     * The root's attributes as written: text as String, integers as Long, reals as Double. Files
     * written before attributes were typed hold every value as text, and their values too long for
     * an attribute as scalar strings under {@code /dopt_attributes}; those are merged back.
     */
    static Map<String, Object> rootAttributes(HdfFile h) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Attribute> e : h.getAttributes().entrySet())
            if (!e.getKey().equals(JHDF_STAMP)) out.put(e.getKey(), typed(e.getValue().getData()));
        if (h.getChildren().get(LONG_ATTRIBUTES) instanceof Group spill)
            for (Node n : spill)
                if (n instanceof Dataset d && d.getDataFlat() instanceof String[] s && s.length == 1) out.put(n.getName(), s[0]);
        return out;
    }

    /** Attribute values as text, numbers as Java prints them ("300", "0.001"): what readers of older files saw. */
    static Map<String, String> asText(Map<String, Object> attributes) {
        Map<String, String> out = new LinkedHashMap<>();
        attributes.forEach((k, v) -> out.put(k, text(v)));
        return out;
    }

    private static Object typed(Object data) {
        if (data instanceof Byte || data instanceof Short || data instanceof Integer) return ((Number) data).longValue();
        if (data instanceof Float f) return f.doubleValue();
        return data instanceof Long || data instanceof Double || data instanceof String ? data : text(data);
    }

    /** One attribute as text, or null if {@code node} has none of that name. */
    static String textAttribute(Node node, String name) {
        Attribute a = node.getAttribute(name);
        return a == null ? null : text(a.getData());
    }

    /** One integer attribute (jhdf returns int64 as Long, smaller widths as their own box types). */
    static Long longAttribute(Node node, String name) {
        Attribute a = node.getAttribute(name);
        if (a == null) return null;
        return a.getData() instanceof Number n ? n.longValue() : null;
    }

    /** An integer vector attribute (our shapes), or null if absent or of another type. */
    static long[] longsAttribute(Node node, String name) {
        Attribute a = node.getAttribute(name);
        if (a == null) return null;
        Object d = a.getData();
        if (d instanceof long[] l) return l;
        if (d instanceof Long l) return new long[] {l};
        return null;
    }

    private static String text(Object data) {
        if (data == null) return "";
        if (data.getClass().isArray()) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0, n = Array.getLength(data); i < n; i++) {
                if (i > 0) sb.append(", ");
                sb.append(text(Array.get(data, i)));
            }
            return sb.append(']').toString();
        }
        return data.toString();
    }

    /** numpy-style name of a dataset's element type, as h5py users would call it. */
    static String dtypeName(DataType t) {
        if (t instanceof FloatingPoint) return "float" + 8 * t.getSize();
        if (t instanceof FixedPoint f) return (f.isSigned() ? "int" : "uint") + 8 * t.getSize();
        if (t instanceof StringData) return "string";
        return t.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }
}
