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
            Map<String, JsonNode> values = new LinkedHashMap<>();
            int rest = i;
            for (int a = axes.size() - 1; a >= 0; a--) {
                List<JsonNode> vs = sweep.axes().get(axes.get(a));
                values.put(axes.get(a), vs.get(rest % vs.size()));
                rest /= vs.size();
            }
            Map<String, JsonNode> ordered = new LinkedHashMap<>();
            for (String a : axes) ordered.put(a, values.get(a));
            points.add(point(sweep, i, ordered));
        }
        return points;
    }

    private static Point point(Sweep sweep, int index, Map<String, JsonNode> values) throws SweepException {
        String id = Point.id(index);
        ObjectNode job = sweep.base().deepCopy();
        for (Map.Entry<String, JsonNode> e : values.entrySet()) set(job, e.getKey(), e.getValue());
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
        try {
            return MAPPER.readTree(JobFile.toJson(JobFile.parse(sweep.base().toString(), sweep.baseSource())));
        } catch (JobException e) {
            throw new SweepException("sweep " + sweep.name() + ": the base job is not valid: " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkPath(Sweep sweep, JsonNode schema, String path) throws SweepException {
        String where = "sweep " + sweep.name() + ": axis '" + path + "'";
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
    }

    private static Set<String> fields(JsonNode object) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) names.add(it.next());
        names.removeAll(RESERVED);
        return names;
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
