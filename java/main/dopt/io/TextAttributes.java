package dopt.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Node;
import io.jhdf.checksum.ChecksumUtils;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.message.DataSpace;
import io.jhdf.storage.HdfBackingStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Attributes holding text as variable-length UTF-8 strings, the type h5py reads as {@code str}
 * (a fixed-length string attribute, the only kind jhdf 0.13 writes, comes back as {@code bytes}).
 *
 * <p>jhdf writes each such attribute with a placeholder: the variable-length string datatype and,
 * as its value, the string's length and heap index with heap address 0. Once jhdf has closed the
 * file, {@link #finish} appends one global heap collection holding the strings, points every
 * placeholder at it, and updates the checksums and the end-of-file address that this changes.
 * Layouts from the HDF5 File Format Specification version 3.0: superblock version 2 (III.A),
 * version 2 object header (IV.A.1.b), attribute message version 3 (IV.A.2.m), variable-length
 * datatype (IV.A.2.d, class 9) and global heap collection (III.E); the checksum is Jenkins'
 * lookup3 as the specification requires.
 */
final class TextAttributes {
    private static final int GLOBAL_HEAP_MIN_BYTES = 4096; // H5HG_MINSIZE: readers expect at least this
    private static final int OBJECT_HEADER_BYTES = 16;     // index, reference count, reserved, size
    private static final int ATTRIBUTE_MESSAGE = 0x0C;
    private static final byte VLEN_CLASS_VERSION_1 = 0x19;

    private final List<byte[]> strings = new ArrayList<>();
    /** How many placeholders each node (by path) holds. */
    private final Map<String, Integer> perNode = new LinkedHashMap<>();

    /** Adds {@code value} as attribute {@code name} of {@code node}; its bytes go to the heap in {@link #finish}. */
    void put(Node node, String name, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        strings.add(utf8);
        // jhdf 0.13 gives writable nodes paths like "//" and "//trace/loss"
        perNode.merge(node.getPath().replaceAll("/+", "/"), 1, Integer::sum);
        // jhdf's writable nodes expose their live attribute map: the only way to give an attribute our own datatype
        node.getAttributes().put(name, new Placeholder(name, node, utf8.length, strings.size()));
    }

    /** Appends the strings' heap to the file jhdf has written and closed and points the placeholders at it; no-op without strings. */
    void finish(Path file) throws IOException {
        if (strings.isEmpty()) return;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer superblock = read(ch, 0, 48);
            int version = superblock.get(8) & 0xff;
            if (version != 2 && version != 3 || superblock.get(9) != 8 || superblock.get(10) != 8)
                throw new IOException("unexpected superblock (version " + version + ") from jhdf; cannot add text attributes");
            long eof = superblock.getLong(28), root = superblock.getLong(36);
            if (eof != ch.size()) throw new IOException("jhdf's end of file " + eof + " is not the file size " + ch.size());
            Map<Long, Integer> headers = objectHeaders(file, root);
            long heap = (eof + 7) & ~7L;
            ByteBuffer collection = collection();
            write(ch, heap, collection);
            for (Map.Entry<Long, Integer> h : headers.entrySet()) pointPlaceholdersAt(ch, h.getKey(), h.getValue(), heap);
            superblock.putLong(28, heap + collection.capacity());
            superblock.putInt(44, checksum(superblock, 44));
            write(ch, 0, superblock);
        }
    }

    /** Object header address → placeholders in it; jhdf finds the addresses without reading any attribute. */
    private Map<Long, Integer> objectHeaders(Path file, long root) {
        Map<Long, Integer> out = new LinkedHashMap<>();
        try (HdfFile h = new HdfFile(file)) {
            for (Map.Entry<String, Integer> e : perNode.entrySet())
                out.put(e.getKey().equals("/") ? root : h.getByPath(e.getKey()).getAddress(), e.getValue());
        }
        return out;
    }

    /** One global heap collection: object i + 1 is strings[i], padded to 8 bytes; object 0 is the free rest. */
    private ByteBuffer collection() {
        long used = 16 + OBJECT_HEADER_BYTES; // collection header and the free-space object's header
        for (byte[] s : strings) used += OBJECT_HEADER_BYTES + padded(s.length);
        if (used > Integer.MAX_VALUE) throw new IllegalArgumentException("text attributes too long: " + used + " bytes");
        int size = (int) Math.max(GLOBAL_HEAP_MIN_BYTES, used);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GCOL".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put(new byte[3]).putLong(size);
        for (int i = 0; i < strings.size(); i++) {
            byte[] s = strings.get(i);
            b.putShort((short) (i + 1)).putShort((short) 0).putInt(0).putLong(s.length).put(s);
            b.position(b.position() + padded(s.length) - s.length);
        }
        long free = size - b.position(); // the free-space object's size counts its own header
        b.putShort((short) 0).putShort((short) 0).putInt(0).putLong(free);
        return b.clear();
    }

    /** Rewrites the heap address of the {@code expected} variable-length string attributes in the object header at {@code at}. */
    private static void pointPlaceholdersAt(FileChannel ch, long at, int expected, long heap) throws IOException {
        ByteBuffer prefix = read(ch, at, 6);
        if (prefix.getInt(0) != 0x5244484f || prefix.get(4) != 2) // "OHDR", version 2
            throw new IOException("the object header at " + at + " is not a version 2 header");
        int flags = prefix.get(5) & 0xff;
        int sizeAt = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0); // after times, phase change values
        int sizeBytes = 1 << (flags & 3);
        ByteBuffer sizeField = read(ch, at + sizeAt, sizeBytes);
        long chunk = sizeBytes == 1 ? sizeField.get(0) & 0xff : sizeBytes == 2 ? sizeField.getShort(0) & 0xffff
                : sizeBytes == 4 ? sizeField.getInt(0) & 0xffffffffL : sizeField.getLong(0);
        int messages = sizeAt + sizeBytes, end = Math.toIntExact(messages + chunk);
        ByteBuffer header = read(ch, at, end + 4);
        int patched = 0;
        for (int p = messages; p + 4 <= end; ) {
            int type = header.get(p) & 0xff, size = header.getShort(p + 1) & 0xffff;
            int body = p + 4 + ((flags & 0x04) != 0 ? 2 : 0);
            // attribute message version 3: version, flags, name size, datatype size, dataspace size, name encoding
            if (type == ATTRIBUTE_MESSAGE && header.get(body) == 3) {
                int name = header.getShort(body + 2) & 0xffff, dtype = header.getShort(body + 4) & 0xffff, space = header.getShort(body + 6) & 0xffff;
                int datatype = body + 9 + name, data = datatype + dtype + space;
                if (header.get(datatype) == VLEN_CLASS_VERSION_1) {
                    header.putLong(data + 4, heap);
                    patched++;
                }
            }
            p = body + size;
        }
        if (patched != expected)
            throw new IOException("found " + patched + " of " + expected + " text attributes in the object header at " + at);
        header.putInt(end, checksum(header, end));
        write(ch, at, header);
    }

    private static int padded(int n) { return (n + 7) & ~7; }

    private static int checksum(ByteBuffer b, int length) {
        return ChecksumUtils.checksum(b.duplicate().position(0).limit(length).slice());
    }

    private static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) if (ch.read(b, at + b.position()) < 0) throw new IOException("file ends at " + (at + b.position()));
        return b.clear();
    }

    private static void write(FileChannel ch, long at, ByteBuffer b) throws IOException {
        ByteBuffer w = b.duplicate().clear();
        while (w.hasRemaining()) ch.write(w, at + w.position());
    }

    /** Variable-length UTF-8 string, null-terminated, on a one-byte unsigned base type: what h5py writes for str. */
    private static final class VariableLengthUtf8 extends DataType {
        VariableLengthUtf8() { super(9, 16); }

        @Override public Class<?> getJavaType() { return String.class; }

        @Override public Object fillData(ByteBuffer buffer, int[] dimensions, HdfBackingStorage storage) {
            throw new UnsupportedOperationException("written only");
        }

        @Override public ByteBuffer toBuffer() {
            return ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                    .put(VLEN_CLASS_VERSION_1).put((byte) 0x01).put((byte) 0x01).put((byte) 0) // string, null-terminated, UTF-8
                    .putInt(16)
                    .put((byte) 0x10).put(new byte[3]).putInt(1).putShort((short) 0).putShort((short) 8) // base: 8-bit unsigned
                    .clear();
        }

        /** Length, heap address (0 until {@link #finish}), heap index. */
        @Override public ByteBuffer encodeData(Object data) {
            Placeholder p = (Placeholder) data;
            return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(p.length).putLong(0).putInt(p.index).clear();
        }
    }

    private static final DataType TYPE = new VariableLengthUtf8();

    /** The attribute jhdf writes: our datatype, a scalar dataspace, and the placeholder as its data. */
    private record Placeholder(String name, Node node, int length, int index) implements Attribute {
        @Override public Node getNode() { return node; }
        @Override public String getName() { return name; }
        @Override public long getSize() { return 1; }
        @Override public long getSizeInBytes() { return 16; }
        @Override public int[] getDimensions() { return new int[0]; }
        @Override public long[] getDimensionsAsLong() { return new long[0]; }
        @Override public Object getData() { return this; }
        @Override public Class<?> getJavaType() { return String.class; }
        @Override public boolean isScalar() { return true; }
        @Override public boolean isEmpty() { return false; }
        @Override public ByteBuffer getBuffer() { return TYPE.encodeData(this); }
        @Override public DataSpace getDataSpace() { return DataSpace.fromObject(name); }
        @Override public DataType getDataType() { return TYPE; }
    }
}
