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
            "  'embed_shape': list(embed.shape), 'embed_bits': embed.view('<u4').ravel().tolist(),",
            "}))");

    @Test
    void h5dumpReadsACheckpoint() throws Exception {
        Path file = dir.resolve("ckpt-000100.h5");
        Checkpoint.write(Fixtures.sampleTree(), file, Map.of("step", "100", "job_name", "mnist"));
        ExternalTools.Result r = ExternalTools.h5dump("-H", file.toString());
        assertEquals(0, r.exitCode(), r.output());
        for (String s : List.of("GROUP \"params\"", "DATASET \"fc1.weight\"", "H5T_IEEE_F32LE", "( 3, 4 )", "( 2, 3, 2 )",
                "DATASET \"rng\"", "H5T_STD_I64LE", "DATASET \"job\"", "ATTRIBUTE \"checksum_sha256\"", "ATTRIBUTE \"step\""))
            assertTrue(r.output().contains(s), "h5dump -H shows " + s + ":\n" + r.output());
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
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("step", "100");
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
        Map<String, float[][]> metrics = new LinkedHashMap<>();
        metrics.put("loss", loss);
        metrics.put("lr", new float[][] {{0.1f, 0.1f}, {0.2f, 0.2f}, {0.3f, 0.3f}});
        Path file = dir.resolve("trace.h5");
        String bigJob = Fixtures.JOB_JSON + " ".repeat(70_000) + "}";
        Trace.write(file, metrics, Map.of("loss", "nats"), Map.of("job_name", "mnist", "ranks", "2", "job", Fixtures.JOB_JSON,
                "big_job", bigJob));

        ExternalTools.Result dump = ExternalTools.h5dump("-H", file.toString());
        assertEquals(0, dump.exitCode(), dump.output());
        assertTrue(dump.output().contains("DATASET \"loss\"") && dump.output().contains("( 3, 2 )"), dump.output());

        ExternalTools.Result r = ExternalTools.python(String.join("\n",
                "import h5py, json, sys",
                "f = h5py.File(sys.argv[1], 'r')",
                "d = f['/trace/loss']",
                "text = lambda v: v.decode('utf-8') if isinstance(v, bytes) else str(v)",
                "print(json.dumps({'shape': list(d.shape), 'dtype': str(d.dtype), 'bits': d[()].view('<u4').ravel().tolist(),",
                "  'units': text(d.attrs['units']), 'dims': text(d.attrs['dims']), 'ranks': text(f.attrs['ranks']),",
                "  'job': text(f.attrs['job']), 'metrics': sorted(f['trace'].keys()),",
                "  'big_job_length': len(f['dopt_attributes/big_job'].asstr()[()])}))"), file.toString());
        assertEquals(0, r.exitCode(), r.output());
        JsonNode j = new ObjectMapper().readTree(r.output());
        assertEquals(List.of(3, 2), ints(j.get("shape")));
        assertEquals("float32", j.get("dtype").asText());
        List<Long> expected = new ArrayList<>();
        for (float[] row : loss) expected.addAll(bitsList(row));
        assertEquals(expected, longs(j.get("bits")));
        assertEquals("nats", j.get("units").asText());
        assertEquals("step,rank", j.get("dims").asText());
        assertEquals("2", j.get("ranks").asText());
        assertEquals(Fixtures.JOB_JSON, j.get("job").asText());
        assertEquals(List.of("loss", "lr"), texts(j.get("metrics")));
        assertEquals(bigJob.length(), j.get("big_job_length").asInt(), "a value too long for an attribute is a dataset");
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
