package dopt.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and checks a sweep file (JSON, usually in {@code jobs/sweeps/}):
 *
 * <pre>{@code
 * { "name": "lr-seed",
 *   "base": "jobs/demo.json",                 (or an inline job object)
 *   "axes": { "optimizer.lr": [0.0003, 0.001, 0.003], "seed": [1, 2],
 *             "comm": { "dense": {"compressor": "none"},      (named variants: fields merged into the
 *                       "topk-1%": {"compressor": "topk",     object at the path, "." for the whole
 *                                   "bytes_per_step": "1%"} } },  job; the label names the point)
 *   "np": 2, "dev": "multicore",              (ranks and MPJ device of every point)
 *   "nodes": 1, "ranks_per_node": 2,          (their SLURM shape; niodev may span nodes)
 *   "output": "runs/sweeps/lr-seed",          (default runs/sweeps/<name>)
 *   "sbatch": ["--time=00:30:00"],            (extra options for every array task)
 *   "max_parallel": 4 }                       (array throttle, default none)
 * }</pre>
 *
 * Axis paths are checked against the job schema when the sweep is expanded ({@link Expansion}),
 * so a new job field is a new possible axis without any code here.
 */
public final class SweepFile {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("name", "base", "axes", "quick", "np", "dev", "nodes", "ranks_per_node", "output",
            "sbatch", "max_parallel");

    private SweepFile() { }

    /**
     * Reads the sweep at {@code file}. A base job given as a path is looked up from the working
     * directory, then from {@code repo}; a relative output folder starts at the working directory.
     */
    public static Sweep read(Path file, Path repo) throws SweepException { return read(file, repo, false); }

    /**
     * Reads the sweep at {@code file}, its {@code quick} variant when asked: the sweep file's
     * {@code "quick": {"base": {...}, "axes": {...}}} merged into the base job (tiny steps) and
     * replacing axes (a list of values; for named variants, the labels to keep), named
     * {@code <name>-quick} with its own default folder. For tests and a first look.
     */
    public static Sweep read(Path file, Path repo, boolean quick) throws SweepException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new SweepException("sweep file " + file + " does not exist");
        } catch (IOException e) {
            throw new SweepException("cannot read sweep file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString(), repo, quick);
    }

    /** Parses sweep JSON; {@code source} names it in messages. */
    public static Sweep parse(String json, String source, Path repo) throws SweepException { return parse(json, source, repo, false); }

    /** Parses sweep JSON, its quick variant when {@code quick} (see {@link #read(Path, Path, boolean)}). */
    public static Sweep parse(String json, String source, Path repo, boolean quick) throws SweepException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SweepException("sweep " + source + " is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        }
        if (root == null || !root.isObject()) throw new SweepException("sweep " + source + " must be a JSON object");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f))
                throw new SweepException("sweep " + source + ": unknown field '" + f + "'; allowed fields: " + String.join(", ", sorted(FIELDS)));
        }
        String where = "sweep " + source + ": ";
        String name = text(root, "name", null, where);
        if (name == null || !name.matches("[A-Za-z0-9._-]+"))
            throw new SweepException(where + "'name' must be letters, digits, '.', '_' or '-' (got " + root.get("name") + ")");
        JsonNode q = root.get("quick");
        if (q != null && (!q.isObject() || !Set.of("base", "axes").containsAll(fieldNames(q))))
            throw new SweepException(where + "'quick' must be an object with 'base' (fields merged into the base job) and 'axes' (axes replaced)");
        if (quick && q == null) throw new SweepException(where + "has no 'quick' variant; run it without --quick");
        if (quick) name = name + "-quick";

        JsonNode b = root.get("base");
        ObjectNode base;
        String baseSource;
        if (b == null) throw new SweepException(where + "'base' is missing: a job file path (\"jobs/demo.json\") or a job object");
        if (b.isObject()) {
            base = (ObjectNode) b.deepCopy();
            baseSource = source + " (inline base)";
        } else if (b.isTextual()) {
            Path p = locate(Path.of(b.asText()), repo);
            if (p == null) throw new SweepException(where + "base job " + b.asText() + " does not exist (looked in "
                    + Path.of("").toAbsolutePath() + (repo != null ? " and " + repo : "") + ")");
            base = readJobObject(p, where);
            // like dopt run: a job file without a name is named after the file
            baseSource = p.toString();
        } else {
            throw new SweepException(where + "'base' must be a job file path or a job object (got " + b.getNodeType() + ")");
        }

        Map<String, List<JsonNode>> axes = new LinkedHashMap<>();
        Map<String, List<String>> labels = new LinkedHashMap<>();
        JsonNode a = root.get("axes");
        if (a != null && !a.isObject()) throw new SweepException(where + "'axes' must be an object: {\"optimizer.lr\": [0.001, 0.01]}");
        if (a != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                List<JsonNode> values = new ArrayList<>();
                if (e.getValue().isObject() && !e.getValue().isEmpty()) {
                    // named variants: label -> fields merged into the object at the axis path ("." the whole job)
                    List<String> names = new ArrayList<>();
                    for (Iterator<Map.Entry<String, JsonNode>> v = e.getValue().fields(); v.hasNext(); ) {
                        Map.Entry<String, JsonNode> variant = v.next();
                        if (!variant.getValue().isObject())
                            throw new SweepException(where + "axis '" + e.getKey() + "': variant '" + variant.getKey()
                                    + "' must be an object of the fields it sets, e.g. {\"name\": \"adamw\"}");
                        names.add(variant.getKey());
                        values.add(variant.getValue());
                    }
                    labels.put(e.getKey(), List.copyOf(names));
                } else if (e.getValue().isArray() && !e.getValue().isEmpty()) {
                    if (e.getKey().equals(Expansion.ROOT))
                        throw new SweepException(where + "axis '.' (the whole job) takes named variants: {\"mnist\": {\"data\": {...}}, ...}");
                    e.getValue().forEach(values::add);
                } else {
                    throw new SweepException(where + "axis '" + e.getKey() + "' must be a non-empty list of values, or an object"
                            + " of named variants (label -> the fields they set)");
                }
                axes.put(e.getKey(), List.copyOf(values));
            }
        }

        ObjectNode overrides = quick && q.get("base") instanceof ObjectNode qb ? qb.deepCopy() : null;
        if (quick) quick(q, axes, labels, where);

        int np = integer(root, "np", 2, where);
        String dev = text(root, "dev", "multicore", where);
        if (!dev.equals("multicore") && !dev.equals("niodev"))
            throw new SweepException(where + "'dev' must be multicore or niodev (got \"" + dev + "\")");
        int nodes = integer(root, "nodes", 1, where);
        int rpn = integer(root, "ranks_per_node", (np + nodes - 1) / nodes, where);
        if (np < 1 || nodes < 1 || rpn < 1) throw new SweepException(where + "'np', 'nodes' and 'ranks_per_node' must be at least 1");
        if (dev.equals("multicore") && nodes != 1)
            throw new SweepException(where + "dev multicore runs a point's ranks as threads of one JVM on one node; use \"nodes\": 1 or \"dev\": \"niodev\"");
        if (dev.equals("niodev") && np != nodes * rpn)
            throw new SweepException(where + "'np' (" + np + ") must equal nodes x ranks_per_node (" + nodes + " x " + rpn + ")");
        String output = text(root, "output", "runs/sweeps/" + name, where);
        if (quick && root.has("output")) output = output + "-quick";
        List<String> sbatch = new ArrayList<>();
        JsonNode s = root.get("sbatch");
        if (s != null) {
            if (!s.isArray()) throw new SweepException(where + "'sbatch' must be a list of sbatch options, e.g. [\"--time=01:00:00\"]");
            for (JsonNode o : s) {
                if (!o.isTextual() || !o.asText().startsWith("-"))
                    throw new SweepException(where + "'sbatch' entries must be options starting with '-' (got " + o + ")");
                sbatch.add(o.asText());
            }
        }
        int maxParallel = integer(root, "max_parallel", 0, where);
        if (maxParallel < 0) throw new SweepException(where + "'max_parallel' must be >= 0 (0 = no limit)");
        Sweep sweep = new Sweep(name, base, baseSource, axes, labels, overrides, np, dev, nodes, rpn, Path.of(output).toAbsolutePath().normalize(),
                List.copyOf(sbatch), maxParallel);
        try {
            sweep.size();
        } catch (ArithmeticException e) {
            throw new SweepException(where + "the axes have too many combinations");
        }
        return sweep;
    }

    private static Path locate(Path p, Path repo) {
        if (p.isAbsolute()) return Files.isRegularFile(p) ? p : null;
        if (Files.isRegularFile(p)) return p.toAbsolutePath().normalize();
        if (repo != null && Files.isRegularFile(repo.resolve(p))) return repo.resolve(p).normalize();
        return null;
    }

    private static ObjectNode readJobObject(Path p, String where) throws SweepException {
        try {
            JsonNode n = MAPPER.readTree(Files.readString(p));
            if (n == null || !n.isObject()) throw new SweepException(where + "base job " + p + " is not a JSON object");
            ObjectNode o = (ObjectNode) n;
            if (!o.has("name")) {
                String f = p.getFileName().toString();
                o.put("name", f.endsWith(".json") ? f.substring(0, f.length() - 5) : f);
            }
            return o;
        } catch (JsonProcessingException e) {
            throw new SweepException(where + "base job " + p + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SweepException(where + "cannot read base job " + p + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode root, String field, String def, String where) throws SweepException {
        JsonNode n = root.get(field);
        if (n == null) return def;
        if (!n.isTextual()) throw new SweepException(where + "'" + field + "' must be a string (got " + n + ")");
        return n.asText();
    }

    private static int integer(JsonNode root, String field, int def, String where) throws SweepException {
        JsonNode n = root.get(field);
        if (n == null) return def;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw new SweepException(where + "'" + field + "' must be an integer (got " + n + ")");
        return n.asInt();
    }

    private static List<String> sorted(Set<String> s) { return s.stream().sorted().toList(); }

    /** Applies the quick variant {@code q}'s axes (its base is merged into every point after the axes, see {@link Expansion}). */
    private static void quick(JsonNode q, Map<String, List<JsonNode>> axes, Map<String, List<String>> labels, String where)
            throws SweepException {
        JsonNode qa = q.get("axes");
        if (qa == null) return;
        if (!qa.isObject()) throw new SweepException(where + "'quick.axes' must be an object of axes");
        for (Iterator<Map.Entry<String, JsonNode>> it = qa.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String axis = e.getKey();
            if (!axes.containsKey(axis)) throw new SweepException(where + "'quick.axes' names '" + axis + "', which is not an axis of the sweep");
            if (!e.getValue().isArray() || e.getValue().isEmpty())
                throw new SweepException(where + "'quick.axes." + axis + "' must be a non-empty list");
            List<JsonNode> values = new ArrayList<>();
            if (labels.containsKey(axis)) {
                List<String> keep = new ArrayList<>();
                for (JsonNode l : e.getValue()) {
                    int i = labels.get(axis).indexOf(l.asText());
                    if (i < 0) throw new SweepException(where + "'quick.axes." + axis + "': no variant '" + l.asText() + "'; variants: "
                            + String.join(", ", labels.get(axis)));
                    keep.add(l.asText());
                    values.add(axes.get(axis).get(i));
                }
                labels.put(axis, List.copyOf(keep));
            } else {
                e.getValue().forEach(values::add);
            }
            axes.put(axis, List.copyOf(values));
        }
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
