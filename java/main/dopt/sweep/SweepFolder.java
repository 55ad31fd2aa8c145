package dopt.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep on disk. The folder is self-contained, so an array task, a rerun of one point or a report
 * needs nothing but the folder:
 *
 * <pre>
 * points.json        the index: sweep name, axes, ranks, device, and every point's id and values
 * points.csv         the same index as a table
 * launch.env         DOPT_DEV and DOPT_NP for slurm/sweep-array.sbatch
 * points/pNNN/       one job folder per point: job.json, then what dopt run writes (trace.h5,
 *                    summary.json, _SUCCESS, checkpoints/, logs/), job.log and exit_code
 * slurm/             array task output (%A_%a.out) and the submitted job ids
 * report.csv, report.md, plots/   written by {@link SweepReport}
 * </pre>
 */
public final class SweepFolder {
    public static final String INDEX = "points.json";
    public static final String INDEX_CSV = "points.csv";
    public static final String LAUNCH_ENV = "launch.env";
    public static final String JOB = "job.json";
    /** The output of dopt run for a point (and of the SLURM job script around it). */
    public static final String JOB_LOG = "job.log";
    /** The exit code of the point's last run, written when it ended (absent while running or when killed). */
    public static final String EXIT_CODE = "exit_code";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    public SweepFolder(Path dir) { this.dir = dir.toAbsolutePath().normalize(); }

    public Path dir() { return dir; }

    public Path pointDir(String id) { return dir.resolve("points").resolve(id); }

    public Path jobFile(String id) { return pointDir(id).resolve(JOB); }

    /** One row of the index. */
    public record Entry(int index, String id, Map<String, JsonNode> values) { }

    /** What {@code points.json} says: the sweep's name, axes in order, ranks, device and points. */
    public record Index(String name, List<String> axes, int np, String dev, List<Entry> points) { }

    /**
     * Writes the points' job files and the index. A folder that already holds a different expansion
     * is refused (its results would be mixed with the new points'); the same expansion is left as
     * it is, so submitting a sweep again continues it.
     */
    public void write(Sweep sweep, List<Point> points) throws SweepException {
        ObjectNode index = index(sweep, points);
        Map<Path, String> jobs = new LinkedHashMap<>();
        for (Point p : points) {
            ObjectNode job = p.job().deepCopy();
            job.put("output", pointDir(p.id()).toString());
            jobs.put(jobFile(p.id()), pretty(job));
        }
        Path indexFile = dir.resolve(INDEX);
        try {
            if (Files.exists(indexFile)) {
                JsonNode old = MAPPER.readTree(indexFile.toFile());
                boolean same = old.equals(index);
                for (Map.Entry<Path, String> e : jobs.entrySet())
                    same &= Files.exists(e.getKey()) && MAPPER.readTree(e.getKey().toFile()).equals(MAPPER.readTree(e.getValue()));
                if (!same)
                    throw new SweepException("sweep folder " + dir + " already holds a different sweep (its " + INDEX
                            + " or job files differ from this expansion); use another --dir or delete the folder");
                return;
            }
            Files.createDirectories(dir.resolve("slurm"));
            for (Map.Entry<Path, String> e : jobs.entrySet()) {
                Files.createDirectories(e.getKey().getParent());
                writeAtomically(e.getKey(), e.getValue());
            }
            writeAtomically(dir.resolve(INDEX_CSV), csv(sweep, points));
            writeAtomically(dir.resolve(LAUNCH_ENV), "DOPT_DEV=" + sweep.dev() + "\nDOPT_NP=" + sweep.np() + "\n");
            // the index last: its presence means the folder is complete
            writeAtomically(indexFile, pretty(index));
        } catch (IOException e) {
            throw new SweepException("cannot write sweep folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code points.json}. */
    public Index readIndex() throws SweepException {
        Path f = dir.resolve(INDEX);
        if (!Files.exists(f))
            throw new SweepException(dir + " is not a sweep folder (no " + INDEX + "); make one with dopt sweep expand, submit or run");
        try {
            JsonNode n = MAPPER.readTree(f.toFile());
            List<String> axes = new ArrayList<>();
            n.get("axes").forEach(a -> axes.add(a.asText()));
            List<Entry> points = new ArrayList<>();
            for (JsonNode p : n.get("points")) {
                Map<String, JsonNode> values = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = p.get("values").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    values.put(e.getKey(), e.getValue());
                }
                points.add(new Entry(p.get("index").asInt(), p.get("id").asText(), values));
            }
            return new Index(n.get("sweep").asText(), axes, n.get("np").asInt(), n.get("dev").asText(), points);
        } catch (IOException | RuntimeException e) {
            throw new SweepException("sweep index " + f + " is unreadable: " + e.getMessage(), e);
        }
    }

    private static ObjectNode index(Sweep sweep, List<Point> points) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("sweep", sweep.name());
        ArrayNode axes = root.putArray("axes");
        sweep.axes().keySet().forEach(axes::add);
        root.put("np", sweep.np());
        root.put("dev", sweep.dev());
        ArrayNode list = root.putArray("points");
        for (Point p : points) {
            ObjectNode o = list.addObject();
            o.put("index", p.index());
            o.put("id", p.id());
            ObjectNode v = o.putObject("values");
            p.values().forEach((k, val) -> v.set(k, val));
        }
        return root;
    }

    private static String csv(Sweep sweep, List<Point> points) {
        StringBuilder sb = new StringBuilder("point");
        for (String a : sweep.axes().keySet()) sb.append(',').append(Csv.field(a));
        sb.append('\n');
        for (Point p : points) {
            sb.append(p.id());
            for (JsonNode v : p.values().values()) sb.append(',').append(Csv.field(Point.text(v)));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pretty(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
