package dopt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One point of a sweep: its index (the SLURM array task id), its id ({@code pNNN}, its folder's
 * name), the value of every axis, and its complete job as JSON.
 */
public record Point(int index, String id, Map<String, JsonNode> values, ObjectNode job) {

    /** The folder and array-task name of point {@code index}. */
    public static String id(int index) { return String.format("p%03d", index); }

    /** "optimizer.lr=0.01, seed=2" (what distinguishes this point). */
    public String describe() { return describe(values); }

    static String describe(Map<String, JsonNode> values) {
        if (values.isEmpty()) return "(the base job)";
        return values.entrySet().stream().map(e -> e.getKey() + "=" + text(e.getValue())).collect(Collectors.joining(", "));
    }

    /** A value as a reader writes it: strings without quotes, everything else as JSON. */
    public static String text(JsonNode v) { return v.isTextual() ? v.asText() : v.toString(); }
}
