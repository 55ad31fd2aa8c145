package dopt.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dopt.job.JobException;
import dopt.job.JobFile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The points of a sweep: the cartesian product of its axes (the last axis varies fastest), each
 * applied to a copy of the base job and checked by the job parser, so that a bad value fails here,
 * naming its point, and not hours later in an array task.
 */
public final class Expansion {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The axis path of variants of the whole job. */
    static final String ROOT = ".";
    /** Set by the sweep for every point, so they cannot be axes. */
    private static final Set<String> RESERVED = Set.of("name", "output");

    private Expansion() { }

    /** Every point of {@code sweep}, in array-index order. */
    public static List<Point> expand(Sweep sweep) throws SweepException {
        JsonNode schema = schema(sweep);
        for (String path : sweep.axes().keySet()) checkPath(sweep, schema, path);
        List<String> axes = new ArrayList<>(sweep.axes().keySet());
        int n = sweep.size();
        List<Point> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] pick = new int[axes.size()];
            int rest = i;
            for (int a = axes.size() - 1; a >= 0; a--) {
                int size = sweep.axes().get(axes.get(a)).size();
                pick[a] = rest % size;
                rest /= size;
            }
            points.add(point(sweep, i, axes, pick));
        }
        return points;
    }

    /** Point {@code index}: value {@code pick[a]} of axis {@code axes[a]}; a named variant appears under its label. */
    private static Point point(Sweep sweep, int index, List<String> axes, int[] pick) throws SweepException {
        String id = Point.id(index);
        ObjectNode job = sweep.base().deepCopy();
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (int a = 0; a < axes.size(); a++) {
            String path = axes.get(a);
            JsonNode value = sweep.axes().get(path).get(pick[a]);
            List<String> labels = sweep.labels().get(path);
            if (labels == null) {
                set(job, path, value);
                values.put(path, value);
            } else {
                merge(path.equals(ROOT) ? job : objectAt(job, path), (ObjectNode) value);
                values.put(path, com.fasterxml.jackson.databind.node.TextNode.valueOf(labels.get(pick[a])));
            }
        }
        // the quick variant's fields win over every axis (a task variant's steps, say)
        if (sweep.overrides() != null) merge(job, sweep.overrides());
        job.put("name", sweep.name() + "-" + id);
        try {
            JobFile.parse(job.toString(), "sweep " + sweep.name() + " point " + id + " (" + Point.describe(values) + ")");
        } catch (JobException e) {
            throw new SweepException(e.getMessage(), e);
        }
        return new Point(index, id, Collections.unmodifiableMap(values), job);
    }

    /** The base job with every field present (defaults filled in): what axis paths are checked against. */
    private static JsonNode schema(Sweep sweep) throws SweepException {
        ObjectNode base = sweep.base().deepCopy();
        if (sweep.overrides() != null) merge(base, sweep.overrides());
        try {
            return MAPPER.readTree(JobFile.toJson(JobFile.parse(base.toString(), sweep.baseSource())));
        } catch (JobException e) {
            throw new SweepException("sweep " + sweep.name() + ": the base job is not valid: " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkPath(Sweep sweep, JsonNode schema, String path) throws SweepException {
        String where = "sweep " + sweep.name() + ": axis '" + path + "'";
        if (path.equals(ROOT)) return;
        if (RESERVED.contains(path))
            throw new SweepException(where + " cannot be swept: the sweep sets every point's name and output folder itself");
        JsonNode node = schema;
        String at = "";
        for (String key : path.split("\\.", -1)) {
            if (!node.isObject())
                throw new SweepException(where + " is not a job field: '" + at + "' is a value, not an object with fields");
            if (!node.has(key))
                throw new SweepException(where + " is not a job field: " + (at.isEmpty() ? "the job's fields are " : "'" + at + "' has ")
                        + String.join(", ", fields(node)));
            node = node.get(key);
            at = at.isEmpty() ? key : at + "." + key;
        }
        if (sweep.labels().containsKey(path) && !node.isObject())
            throw new SweepException(where + " has named variants, which set fields of an object, and '" + path + "' is a value;"
                    + " give it a list of values instead");
    }

    private static Set<String> fields(JsonNode object) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) names.add(it.next());
        names.removeAll(RESERVED);
        return names;
    }

    /** The object at a dotted path, created (with those on the way) where the base job leaves it to defaults. */
    private static ObjectNode objectAt(ObjectNode job, String path) {
        ObjectNode node = job;
        for (String key : path.split("\\.")) {
            JsonNode child = node.get(key);
            node = child instanceof ObjectNode o ? o : node.putObject(key);
        }
        return node;
    }

    /** Deep merge: {@code fields} into {@code into}, objects field by field, anything else replaced. */
    static void merge(ObjectNode into, ObjectNode fields) {
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue() instanceof ObjectNode o && into.get(e.getKey()) instanceof ObjectNode existing) merge(existing, o);
            else into.set(e.getKey(), e.getValue().deepCopy());
        }
    }

    /** Sets a dotted path, creating the objects on the way that the base job leaves to defaults. */
    private static void set(ObjectNode job, String path, JsonNode value) {
        String[] keys = path.split("\\.");
        ObjectNode node = job;
        for (int k = 0; k < keys.length - 1; k++) {
            JsonNode child = node.get(keys[k]);
            node = child instanceof ObjectNode o ? o : node.putObject(keys[k]);
        }
        node.set(keys[keys.length - 1], value.deepCopy());
    }
}
