package dopt.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The end-of-run figures: printed as a table and written as summary.json beside the outputs. */
final class Summary {
    final Map<String, Object> rows = new LinkedHashMap<>();

    Summary put(String key, Object value) {
        rows.put(key, value);
        return this;
    }

    Summary putAll(Map<String, Object> more) {
        rows.putAll(more);
        return this;
    }

    /**
     * Keys in snake_case are the machine-readable twins of a formatted row (summary.json keeps
     * both, for sweep reports); the printed table shows only the formatted one.
     */
    private static boolean machineOnly(String key) { return key.indexOf(' ') < 0 && key.indexOf('_') > 0; }

    String table() {
        int w = 0, v = 0;
        for (Map.Entry<String, Object> e : rows.entrySet()) {
            if (machineOnly(e.getKey())) continue;
            w = Math.max(w, e.getKey().length());
            v = Math.max(v, format(e.getValue()).length());
        }
        StringBuilder sb = new StringBuilder();
        String rule = "+" + "-".repeat(w + 2) + "+" + "-".repeat(v + 2) + "+\n";
        sb.append(rule);
        for (Map.Entry<String, Object> e : rows.entrySet())
            if (!machineOnly(e.getKey())) sb.append(String.format(Locale.ROOT, "| %-" + w + "s | %-" + v + "s |%n", e.getKey(), format(e.getValue())));
        sb.append(rule);
        return sb.toString();
    }

    private static String format(Object v) {
        if (v instanceof Double d) return String.format(Locale.ROOT, "%.4f", d);
        if (v instanceof Float f) return String.format(Locale.ROOT, "%.4f", f);
        return String.valueOf(v);
    }
}
