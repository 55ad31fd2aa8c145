package dopt.compress;

import java.nio.ByteBuffer;

/**
 * The wire format that QSGD and natural dithering share: per entry a sign bit and a level index
 * (0..maxLevel), packed little-endian into {@link #bitsPerEntry} bits with no padding between
 * entries (the last byte is zero-filled). Each compressor supplies how its levels map to values.
 */
final class SignLevelCodes {
    private SignLevelCodes() { }

    /** The level index of entry i (its sign is read from the compressed value itself). */
    @FunctionalInterface
    interface LevelOf { int level(int i); }

    /** The magnitude that a level index stands for. */
    @FunctionalInterface
    interface ValueOf { float value(int level); }

    /** One sign bit plus enough bits for 0..maxLevel. */
    static int bitsPerEntry(int maxLevel) { return 1 + (32 - Integer.numberOfLeadingZeros(maxLevel)); }

    /** Bytes that {@link #write} puts for n entries. */
    static long bytes(int n, int maxLevel) { return ((long) n * bitsPerEntry(maxLevel) + 7) / 8; }

    static void write(ByteBuffer out, float[] compressed, int n, int maxLevel, LevelOf levels) {
        int w = bitsPerEntry(maxLevel);
        long acc = 0;
        int filled = 0;
        for (int i = 0; i < n; i++) {
            long code = ((long) levels.level(i) << 1) | (compressed[i] < 0 ? 1 : 0);
            acc |= code << filled;
            filled += w;
            while (filled >= 8) {
                out.put((byte) acc);
                acc >>>= 8;
                filled -= 8;
            }
        }
        if (filled > 0) out.put((byte) acc);
    }

    /**
     * Checks n entries written by {@link #write} starting at absolute index {@code start} (the
     * position does not move): every level index at most {@code maxLevel}, the unused bits of the
     * last byte zero.
     */
    static void check(ByteBuffer in, int start, int n, int maxLevel, Compressor codec) {
        int w = bitsPerEntry(maxLevel), at = start;
        long buf = 0, mask = (1L << w) - 1;
        int have = 0;
        for (int i = 0; i < n; i++) {
            while (have < w) {
                buf |= (long) (in.get(at++) & 0xFF) << have;
                have += 8;
            }
            long level = (buf & mask) >>> 1;
            if (level > maxLevel)
                throw new MalformedMessageException(codec.name() + ": entry " + i + " has level " + level + " > " + maxLevel);
            buf >>>= w;
            have -= w;
        }
        if (buf != 0) throw new MalformedMessageException(codec.name() + ": the last byte sets bits beyond entry " + (n - 1));
    }

    /** Reads n entries and adds {@code weight · (±value(level))} to {@code acc[0, n)}. */
    static void readAdd(ByteBuffer in, int n, int maxLevel, ValueOf values, float[] acc, float weight) {
        int w = bitsPerEntry(maxLevel);
        long buf = 0, mask = (1L << w) - 1;
        int have = 0;
        for (int i = 0; i < n; i++) {
            while (have < w) {
                buf |= (long) (in.get() & 0xFF) << have;
                have += 8;
            }
            long code = buf & mask;
            buf >>>= w;
            have -= w;
            float v = values.value((int) (code >>> 1));
            acc[i] += weight * ((code & 1) != 0 ? -v : v);
        }
    }
}
