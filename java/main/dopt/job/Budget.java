package dopt.job;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A budget as a job file writes it: bytes ({@code "2MiB"}, {@code "50KB"}, {@code "123456"}) or a
 * fraction of a reference ({@code "25%"}: of AdamW's optimizer state, of the dense message). Units
 * follow IEC and SI: KiB, MiB, GiB are powers of 1024, KB, MB, GB powers of 1000, B or none bytes.
 *
 * @param bytes    the budget in bytes, or -1 when it is a fraction
 * @param fraction the budget as a fraction of the reference in (0, 1], or NaN when it is bytes
 * @param text     as written
 */
public record Budget(long bytes, double fraction, String text) {

    private static final Pattern FORM = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(%|B|KB|MB|GB|KiB|MiB|GiB)?\\s*");

    /** Reads {@code text}; {@code field} names it in the error. */
    public static Budget parse(String text, String field) throws JobException {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches())
            throw new JobException("'" + field + "' must be bytes (\"2MiB\", \"500KB\", \"123456\"; units B, KB, MB, GB, KiB, MiB, GiB)"
                    + " or a percentage (\"25%\"), not \"" + text + "\"");
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        if (unit.equals("%")) {
            if (!(v > 0 && v <= 100)) throw new JobException("'" + field + "' as a percentage must be in (0, 100], not \"" + text + "\"");
            return new Budget(-1, v / 100, text.strip());
        }
        double scale = switch (unit) {
            case "KB" -> 1e3;
            case "MB" -> 1e6;
            case "GB" -> 1e9;
            case "KiB" -> 1024.0;
            case "MiB" -> 1024.0 * 1024;
            case "GiB" -> 1024.0 * 1024 * 1024;
            default -> 1;
        };
        double bytes = Math.floor(v * scale);
        if (!(bytes >= 1) || bytes > Long.MAX_VALUE / 2) throw new JobException("'" + field + "' must be at least 1 byte, not \"" + text + "\"");
        return new Budget((long) bytes, Double.NaN, text.strip());
    }

    public boolean isFraction() { return bytes < 0; }

    /** The budget in bytes, a fraction taken of {@code reference} (rounded down). */
    public long of(long reference) { return isFraction() ? (long) Math.floor(fraction * reference) : bytes; }

    /** "25% of 8.19 MiB = 2.05 MiB" or "2 MiB", for messages. */
    public String describe(long reference, String referenceName) {
        return isFraction() ? text + " of " + referenceName + " " + human(reference) + " = " + human(of(reference)) : human(bytes);
    }

    /** Bytes for people: "2.00 MiB (2,097,152 B)". */
    public static String human(long b) {
        if (b < 1024) return String.format(Locale.ROOT, "%,d B", b);
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s (%,d B)", v, units[u], b);
    }
}
