package dopt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.state.StateTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our files read back with the reference HDF5 library (h5dump) and with h5py, value for value. */
class StandardHdf5Test {
    @TempDir Path dir;

    private static final String READ_CHECKPOINT = String.join("\n",
            "import h5py, json, sys, numpy as np",
            "f = h5py.File(sys.argv[1], 'r')",
            "text = lambda v: v.decode('utf-8') if isinstance(v, bytes) else str(v)",
            "w = f['params/fc1.weight']",
            "g = f['params/embed']",
            "embed = np.concatenate([g['part%d' % i][()] for i in range(len(g))]).reshape(g.attrs['dopt_shape'])",
            "print(json.dumps({",
            "  'w_dtype': str(w.dtype), 'w_shape': list(w.shape),",
            "  'w_bits': w[()].view('<u4').ravel().tolist(),",
            "  'rng_dtype': str(f['ranks/0/rng'].dtype), 'rng': f['ranks/0/rng'][()].tolist(),",
            "  'job': f['job'].asstr()[()],",
            "  'step': text(f.attrs['step']), 'job_name': text(f.attrs['job_name']), 'format': text(f.attrs['format']),",
            "  'attribute_types': {k: type(v).__name__ for k, v in f.attrs.items()},",
            "  'embed_shape': list(embed.shape), 'embed_bits': embed.view('<u4').ravel().tolist(),",
            "}))");

    @Test
    void h5dumpReadsACheckpoint() throws Exception {
        Path file = dir.resolve("ckpt-000100.h5");
        Checkpoint.write(Fixtures.sampleTree(), file, Map.of("step", 100L, "job_name", "mnist"));
        ExternalTools.Result r = ExternalTools.h5dump("-H", file.toString());
        assertEquals(0, r.exitCode(), r.output());
        for (String s : List.of("GROUP \"params\"", "DATASET \"fc1.weight\"", "H5T_IEEE_F32LE", "( 3, 4 )", "( 2, 3, 2 )",
                "DATASET \"rng\"", "H5T_STD_I64LE", "DATASET \"job\"", "ATTRIBUTE \"checksum_sha256\"", "ATTRIBUTE \"step\""))
            assertTrue(r.output().contains(s), "h5dump -H shows " + s + ":\n" + r.output());
        ExternalTools.Result attrs = ExternalTools.h5dump("-a", "/step", "-a", "/job_name", file.toString());
        assertEquals(0, attrs.exitCode(), attrs.output());
        assertTrue(attrs.output().matches("(?s).*ATTRIBUTE \"step\".*H5T_STD_I64LE.*\\(0\\): 100\\s.*"), "step is int64:\n" + attrs.output());
        assertTrue(attrs.output().matches("(?s).*ATTRIBUTE \"job_name\".*STRSIZE H5T_VARIABLE.*CSET H5T_CSET_UTF8.*\"mnist\".*"),
                "job_name is a variable-length UTF-8 string:\n" + attrs.output());
        // the full dump reads every byte of data through the HDF5 C library, not just the headers
        ExternalTools.Result full = ExternalTools.h5dump("-d", "/ranks/0/rng", file.toString());
        assertEquals(0, full.exitCode(), full.output());
        assertTrue(full.output().contains("-9223372036854775808, -1, 0, 9223372036854775807"), full.output());
    }

    @Test
    void h5pyReadsFloatsLongsTheStringLeafAndAttributes() throws Exception {
        StateTree tree = Fixtures.sampleTree();
        tree.putFloats("params/embed", Fixtures.awkwardFloats(15, 9), 3, 5);
        Path file = dir.resolve("ckpt-000100.h5");
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("step", 100L);
        attrs.put("lr", 0.001);
        attrs.put("job_name", "mnist \"quoted\" ✓");
        Checkpoint.write(tree, file, attrs, 12); // small parts, so h5py also sees a split leaf (embed: 12 + 3)

        ExternalTools.Result r = ExternalTools.python(READ_CHECKPOINT, file.toString());
        assertEquals(0, r.exitCode(), r.output());
        JsonNode j = new ObjectMapper().readTree(r.output());
        assertEquals("float32", j.get("w_dtype").asText());
        assertEquals(List.of(3, 4), ints(j.get("w_shape")));
        assertEquals(bitsList(tree.floats("params/fc1.weight")), longs(j.get("w_bits")), "raw float bits incl. NaN payloads");
        assertEquals("int64", j.get("rng_dtype").asText());
        assertEquals(List.of(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE), longs(j.get("rng")));
        assertEquals(Fixtures.JOB_JSON, j.get("job").asText());
        assertEquals("100", j.get("step").asText());
        assertEquals("mnist \"quoted\" ✓", j.get("job_name").asText());
        // what the issue saw was step=b'100': numbers must be numbers and text must be str, not bytes
        JsonNode types = j.get("attribute_types");
        assertEquals("int64", types.get("step").asText(), types.toString());
        assertEquals("float64", types.get("lr").asText(), types.toString());
        for (String k : List.of("job_name", "format", "checksum_sha256", "created"))
            assertEquals("str", types.get(k).asText(), k + ": " + types);
        assertEquals(Checkpoint.FORMAT, j.get("format").asText());
        assertEquals(List.of(3, 5), ints(j.get("embed_shape")));
        assertEquals(bitsList(tree.floats("params/embed")), longs(j.get("embed_bits")));
    }

    @Test
    void h5dumpAndH5pyReadDoubleLeavesAsFloat64() throws Exception {
        StateTree tree = new StateTree();
        tree.putDoubles("markov/chain/z", Fixtures.awkwardDoubles(6, 4), 2, 3);
        tree.putDoubles("markov/sgd/x", Fixtures.awkwardDoubles(7, 5));
        tree.putLongs("markov/sgd/samples", 42L);
        Path file = dir.resolve("doubles.h5");
        Checkpoint.write(tree, file, Map.of("step", "3"), 12); // x: 7 doubles > 12 / 2, so stored as parts; z: 6, whole

        ExternalTools.Result dump = ExternalTools.h5dump("-H", file.toString());
        assertEquals(0, dump.exitCode(), dump.output());
        for (String s : List.of("DATASET \"z\"", "H5T_IEEE_F64LE", "( 2, 3 )", "GROUP \"x\"", "DATASET \"part1\""))
            assertTrue(dump.output().contains(s), "h5dump -H shows " + s + ":\n" + dump.output());
        ExternalTools.Result r = ExternalTools.python(String.join("\n",
                "import h5py, json, sys, numpy as np",
                "f = h5py.File(sys.argv[1], 'r')",
                "z = f['markov/chain/z']",
                "g = f['markov/sgd/x']",
                "x = np.concatenate([g['part%d' % i][()] for i in range(len(g))]).reshape(g.attrs['dopt_shape'])",
                "print(json.dumps({'z_dtype': str(z.dtype), 'z_shape': list(z.shape), 'z_bits': [str(b) for b in z[()].view('<u8').ravel()],",
                "  'x_dtype': str(x.dtype), 'x_bits': [str(b) for b in x.view('<u8').ravel()]}))"), file.toString());
        assertEquals(0, r.exitCode(), r.output());
        JsonNode j = new ObjectMapper().readTree(r.output());
        assertEquals("float64", j.get("z_dtype").asText());
        assertEquals(List.of(2, 3), ints(j.get("z_shape")));
        assertEquals(unsigned(tree.doubles("markov/chain/z")), texts(j.get("z_bits")), "raw double bits incl. NaN payloads");
        assertEquals("float64", j.get("x_dtype").asText());
        assertEquals(unsigned(tree.doubles("markov/sgd/x")), texts(j.get("x_bits")));
    }

    private static List<String> unsigned(double[] v) {
        List<String> out = new ArrayList<>();
        for (double x : v) out.add(Long.toUnsignedString(Double.doubleToRawLongBits(x)));
        return out;
    }

    @Test
    void h5dumpAndH5pyReadATrace() throws Exception {
        float[][] loss = {{2.5f, 2.25f}, {1.5f, -0.0f}, {Float.NaN, 0.125f}};
        long[][] bytes = {{(1L << 24) + 1, 7}, {1L << 40, 0}, {3, (1L << 53) + 1}};
        Map<String, TraceData.Metric> metrics = new LinkedHashMap<>();
        metrics.put("loss", new TraceData.Floats(loss, "nats"));
        metrics.put("bytes_sent", new TraceData.Counts(bytes, "bytes"));
        TraceData.Evaluations ev = new TraceData.Evaluations(new long[] {2, 3}, new double[] {1.75, 1.5}, new double[] {0.5, 0.625});
        Path file = dir.resolve("trace.h5");
        String bigJob = Fixtures.JOB_JSON + " ".repeat(70_000) + "}";
        Trace.write(file, new TraceData(new long[] {1, 2, 3}, metrics, ev), Map.of("job_name", "mnist", "ranks", 2L,
                "job", Fixtures.JOB_JSON, "big_job", bigJob));

        ExternalTools.Result dump = ExternalTools.h5dump("-H", file.toString());
        assertEquals(0, dump.exitCode(), dump.output());
        assertTrue(dump.output().contains("DATASET \"loss\"") && dump.output().contains("( 3, 2 )"), dump.output());
        ExternalTools.Result full = ExternalTools.h5dump("-d", "/trace/bytes_sent", file.toString());
        assertTrue(full.output().contains("1099511627776") && full.output().contains("9007199254740993"), full.output());

        ExternalTools.Result r = ExternalTools.python(String.join("\n",
                "import h5py, json, sys",
                "f = h5py.File(sys.argv[1], 'r')",
                "d = f['/trace/loss']",
                "b = f['/trace/bytes_sent']",
                "print(json.dumps({'shape': list(d.shape), 'dtype': str(d.dtype), 'bits': d[()].view('<u4').ravel().tolist(),",
                "  'bytes_dtype': str(b.dtype), 'bytes': [str(x) for x in b[()].ravel()],",
                "  'step': f['step'][()].tolist(), 'step_dtype': str(f['step'].dtype),",
                "  'eval_step': f['eval/step'][()].tolist(), 'eval_loss': f['eval/loss'][()].tolist(),",
                "  'eval_accuracy': f['eval/accuracy'][()].tolist(),",
                "  'units': d.attrs['units'], 'dims': d.attrs['dims'], 'ranks': int(f.attrs['ranks']),",
                "  'ranks_type': type(f.attrs['ranks']).__name__, 'job_type': type(f.attrs['job']).__name__,",
                "  'job': f.attrs['job'], 'metrics': list(f['trace'].keys()), 'big_job_length': len(f.attrs['big_job'])}))"),
                file.toString());
        assertEquals(0, r.exitCode(), r.output());
        JsonNode j = new ObjectMapper().readTree(r.output());
        assertEquals(List.of(3, 2), ints(j.get("shape")));
        assertEquals("float32", j.get("dtype").asText());
        List<Long> expected = new ArrayList<>();
        for (float[] row : loss) expected.addAll(bitsList(row));
        assertEquals(expected, longs(j.get("bits")));
        assertEquals("int64", j.get("bytes_dtype").asText());
        List<String> exact = new ArrayList<>();
        for (long[] row : bytes) for (long v : row) exact.add(Long.toString(v));
        assertEquals(exact, texts(j.get("bytes")), "counts exact beyond 2^24 and 2^53");
        assertEquals(List.of(1L, 2L, 3L), longs(j.get("step")));
        assertEquals("int64", j.get("step_dtype").asText());
        assertEquals(List.of(2L, 3L), longs(j.get("eval_step")));
        assertEquals(List.of(1.75, 1.5), doubles(j.get("eval_loss")));
        assertEquals(List.of(0.5, 0.625), doubles(j.get("eval_accuracy")));
        assertEquals("nats", j.get("units").asText());
        assertEquals("step,rank", j.get("dims").asText());
        assertEquals(2, j.get("ranks").asInt());
        assertEquals("int64", j.get("ranks_type").asText());
        assertEquals("str", j.get("job_type").asText());
        assertEquals(Fixtures.JOB_JSON, j.get("job").asText());
        assertEquals(List.of("bytes_sent", "loss"), texts(j.get("metrics")));
        assertEquals(bigJob.length(), j.get("big_job_length").asInt(), "a value of any length is an attribute");
    }

    private static List<Double> doubles(JsonNode n) {
        List<Double> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asDouble()));
        return out;
    }

    private static List<Long> bitsList(float[] v) {
        List<Long> out = new ArrayList<>();
        for (float x : v) out.add(Integer.toUnsignedLong(Float.floatToRawIntBits(x)));
        return out;
    }

    private static List<Long> longs(JsonNode n) {
        List<Long> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asLong()));
        return out;
    }

    private static List<Integer> ints(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asInt()));
        return out;
    }

    private static List<String> texts(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }
}
