package dopt.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HDF5 files of {@code dopt aggregate-replay} (layout in the shared notes' aggregation.md,
 * "Replay interface"). A case holds root attributes {@code rule}, {@code hyperparameters} (JSON),
 * {@code pre_aggregators} (JSON list), {@code attack}, {@code attack_hyperparameters} (JSON) and
 * {@code seed} (int64), and datasets {@code /inputs} (n × d), {@code /honest} (h × d),
 * {@code /permutation} (int, length n), {@code /center} (d) and {@code /attack_noise} (d), floats
 * as float32 or float64. Only {@code rule} and {@code /inputs} are required here; what else a case
 * needs depends on its rule, pre-aggregators and attack, which the command checks. The result is a
 * copy of every root attribute and dataset plus {@code /output} (d, float32),
 * {@code /output_byzantine} (f × d, float32, f = n − h, when there are Byzantine rows to forge) and
 * {@code /output_selected} (int64, krum and multi_krum).
 */
public final class AggregationCaseFile {
    private AggregationCaseFile() { }

    /** A case as read; absent optional parts are null, {@code raw} holds every root dataset for the copy. */
    public record Case(String rule, String hyperparameters, String preAggregators, String attack,
                       String attackHyperparameters, float[][] inputs, float[][] honest, long[] permutation,
                       float[] center, float[] attackNoise, Map<String, Object> attributes, Map<String, Object> raw) { }

    /** The answer to write next to the copy; {@code byzantine} and {@code selected} may be null. */
    public record Result(float[] output, float[][] byzantine, long[] selected) { }

    public static Case read(Path file) throws IOException {
        try (HdfFile h = HdfFiles.open(file, "aggregation case")) {
            Map<String, Object> attributes = HdfFiles.rootAttributes(h);
            Map<String, String> text = HdfFiles.asText(attributes);
            String rule = text.get("rule");
            if (rule == null) throw new IOException("aggregation case " + file + " has no root attribute 'rule'");
            Map<String, Object> raw = new LinkedHashMap<>();
            for (Node n : h)
                if (n instanceof Dataset d) raw.put(n.getName(), d.getData());
            float[][] inputs = matrix(h, "inputs", file);
            if (inputs == null) throw new IOException("aggregation case " + file + " has no dataset /inputs");
            if (inputs.length == 0 || inputs[0].length == 0)
                throw new IOException("aggregation case " + file + ": /inputs must have n >= 1 rows of d >= 1 values");
            int d = inputs[0].length;
            float[][] honest = matrix(h, "honest", file);
            if (honest != null && honest.length > 0 && honest[0].length != d)
                throw new IOException("aggregation case " + file + ": /honest has rows of " + honest[0].length + " values, /inputs of " + d);
            return new Case(rule, text.getOrDefault("hyperparameters", "{}"), text.getOrDefault("pre_aggregators", "[]"),
                    text.getOrDefault("attack", "none"), text.getOrDefault("attack_hyperparameters", "{}"),
                    inputs, honest, integers(h, "permutation", file), vector(h, "center", d, file), vector(h, "attack_noise", d, file),
                    attributes, raw);
        } catch (RuntimeException e) {
            throw new IOException(HdfFiles.unreadable(file, "aggregation case", HdfFiles.reason(e)), e);
        }
    }

    /** Writes {@code out}: the case's root attributes and datasets, plus the result. */
    public static void write(Case c, Result r, Path out) throws IOException {
        HdfFiles.writeAtomically(out, "aggregation result", c.attributes(), (w, text) -> {
            for (Map.Entry<String, Object> e : c.raw().entrySet())
                if (!e.getKey().startsWith("output")) w.putDataset(e.getKey(), e.getValue());
            w.putDataset("output", r.output());
            if (r.byzantine() != null && r.byzantine().length > 0) w.putDataset("output_byzantine", r.byzantine());
            if (r.selected() != null) w.putDataset("output_selected", r.selected());
        });
    }

    private static Dataset dataset(HdfFile h, String name) {
        return h.getChildren().get(name) instanceof Dataset d ? d : null;
    }

    private static float[][] matrix(HdfFile h, String name, Path file) throws IOException {
        Dataset d = dataset(h, name);
        if (d == null) return null;
        int[] dims = d.getDimensions();
        if (dims.length != 2) throw new IOException("aggregation case " + file + ": /" + name + " must be 2-D (rows × d), it is " + Arrays.toString(dims));
        float[] flat = floats(d.getDataFlat(), name, file);
        float[][] m = new float[dims[0]][dims[1]];
        for (int i = 0; i < dims[0]; i++) System.arraycopy(flat, i * dims[1], m[i], 0, dims[1]);
        return m;
    }

    private static float[] vector(HdfFile h, String name, int d, Path file) throws IOException {
        Dataset ds = dataset(h, name);
        if (ds == null) return null;
        int[] dims = ds.getDimensions();
        if (dims.length != 1 || dims[0] != d)
            throw new IOException("aggregation case " + file + ": /" + name + " must hold d = " + d + " values, its shape is " + Arrays.toString(dims));
        return floats(ds.getDataFlat(), name, file);
    }

    private static long[] integers(HdfFile h, String name, Path file) throws IOException {
        Dataset ds = dataset(h, name);
        if (ds == null) return null;
        if (ds.getDimensions().length != 1)
            throw new IOException("aggregation case " + file + ": /" + name + " must be 1-D, its shape is " + Arrays.toString(ds.getDimensions()));
        Object flat = ds.getDataFlat();
        if (flat instanceof long[] l) return l;
        if (flat instanceof int[] a) return Arrays.stream(a).asLongStream().toArray();
        if (flat instanceof short[] s) {
            long[] l = new long[s.length];
            for (int i = 0; i < s.length; i++) l[i] = s[i];
            return l;
        }
        throw new IOException("aggregation case " + file + ": /" + name + " must hold integers, not " + HdfFiles.dtypeName(ds.getDataType()));
    }

    private static float[] floats(Object flat, String name, Path file) throws IOException {
        if (flat instanceof float[] f) return f;
        if (flat instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        throw new IOException("aggregation case " + file + ": /" + name + " must be float32 or float64, not "
                + flat.getClass().getSimpleName());
    }
}
