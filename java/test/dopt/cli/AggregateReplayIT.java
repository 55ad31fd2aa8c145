package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dopt aggregate-replay} on cases written by h5py (as an outside conformance suite would),
 * read back with h5py and h5dump, with the expected values worked out by hand (the same cases as the unit
 * tests of dopt.aggregate, so a disagreement points at the file layer).
 */
class AggregateReplayIT {
    @TempDir Path dir;

    /**
     * Writes a case with h5py ({@code attrs}: Python dict literal of string attributes; {@code data}:
     * dict literal name → numpy expression), replays it and returns the exit and output.
     */
    private DoptProcess.Result run(String name, String attrs, String data) throws Exception {
        Path in = dir.resolve(name + ".h5"), out = dir.resolve(name + "-out.h5");
        String py = String.join("\n",
                "import h5py, numpy as np, sys",
                "with h5py.File(sys.argv[1], 'w') as f:",
                "    for k, v in (" + attrs + ").items(): f.attrs[k] = v",
                "    f.attrs['seed'] = np.int64(1234)",
                "    for k, v in (" + data + ").items(): f[k] = v");
        DoptProcess.Result w = DoptProcess.exec(List.of("/usr/bin/python3", "-c", py, in.toString()), dir, 60);
        assertEquals(0, w.exitCode(), w.output());
        return DoptProcess.dopt(dir, 60, "aggregate-replay", "--in", in.toString(), "--out", out.toString());
    }

    /** The datasets of the result as h5py reads them, flattened; also checks that the case was copied. */
    private Map<String, double[]> read(String name) throws Exception {
        Path out = dir.resolve(name + "-out.h5");
        DoptProcess.Result r = DoptProcess.exec(List.of("/usr/bin/python3", "-c", String.join("\n",
                "import h5py, sys",
                "f = h5py.File(sys.argv[1], 'r')",
                "assert int(f.attrs['seed']) == 1234 and f.attrs['seed'].dtype.kind == 'i', f.attrs['seed']",
                "rule = f.attrs['rule']",
                "print('RULE', rule.decode() if isinstance(rule, bytes) else rule)",
                "assert f['inputs'].shape[1] == f['output'].shape[0]",
                "for k in ('output', 'output_byzantine', 'output_selected'):",
                "    if k in f: print(k.upper(), f[k].dtype, ' '.join(repr(float(v)) for v in f[k][:].ravel()))"),
                out.toString()), dir, 60);
        assertEquals(0, r.exitCode(), r.output());
        DoptProcess.Result dump = DoptProcess.exec(List.of("/usr/bin/h5dump", "-H", out.toString()), dir, 60);
        assertEquals(0, dump.exitCode(), dump.output());
        assertTrue(dump.output().contains("DATASET \"output\""), dump.output());
        Map<String, double[]> m = new HashMap<>();
        for (String line : r.output().lines().toList()) {
            String[] p = line.trim().split(" ");
            if (!p[0].startsWith("OUTPUT")) continue;
            double[] v = new double[p.length - 2];
            for (int i = 2; i < p.length; i++) v[i - 2] = p[i].equals("nan") ? Double.NaN : Double.parseDouble(p[i]); // Python's repr
            m.put(p[0].toLowerCase(), v);
            if (p[0].equals("OUTPUT_SELECTED")) assertEquals("int64", p[1]);
            else assertEquals("float32", p[1]);
        }
        return m;
    }

    private static void assertClose(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-6, "[" + i + "]");
    }

    @Test
    void trimmedMeanOnFloat64InputsAndSignFlip() throws Exception {
        DoptProcess.Result r = run("tm", "{'rule': 'trimmed_mean', 'hyperparameters': '{\"f\": 1}', 'attack': 'sign_flip'}",
                "{'inputs': np.array([[1, 0], [100, -50], [3, 2], [2, 1], [4, 0]], 'float64'),"
                        + " 'honest': np.array([[1, 2], [3, 6], [5, 1]], 'float32')}");
        assertEquals(0, r.exitCode(), r.output());
        Map<String, double[]> m = read("tm");
        // column 0 {1,2,3,4,100} -> 3; column 1 {-50,0,0,1,2} -> 1/3; f = 5 - 3 = 2 rows of -mean(H) = (-3, -3)
        assertClose(new double[] {3, 1.0 / 3}, m.get("output"));
        assertClose(new double[] {-3, -3, -3, -3}, m.get("output_byzantine"));
    }

    @Test
    void multiKrumReportsItsSelectionAndBitFlipNegatesTheSampledShard() throws Exception {
        DoptProcess.Result r = run("mk", "{'rule': 'multi_krum', 'hyperparameters': '{\"f\": 1, \"m\": 3}', 'attack': 'bit_flip',"
                        + " 'attack_hyperparameters': '{}', 'pre_aggregators': '[]'}",
                "{'inputs': np.array([[0], [1], [2], [3], [10]], 'float32'), 'honest': np.array([[0], [1], [2], [3]], 'float32')}");
        assertEquals(0, r.exitCode(), r.output());
        Map<String, double[]> m = read("mk");
        // scores 5, 2, 2, 5, 113: rows 1, 2, 0 (ties to the lower index) -> mean 1
        assertClose(new double[] {1}, m.get("output"));
        assertArrayEquals(new double[] {1, 2, 0}, m.get("output_selected"));
        assertClose(new double[] {-0.0}, m.get("output_byzantine"));
    }

    @Test
    void centeredClippingFromTheGivenCenterAndGaussianFromTheGivenNoise() throws Exception {
        DoptProcess.Result r = run("cc", "{'rule': 'centered_clipping', 'hyperparameters': '{\"tau\": 1, \"L\": 1}', 'attack': 'gaussian',"
                        + " 'attack_hyperparameters': '{\"mu\": 1, \"sigma\": 2}'}",
                "{'inputs': np.array([[1, 1], [1, 3]], 'float32'), 'honest': np.array([[1, 1]], 'float32'),"
                        + " 'center': np.array([1, 1], 'float32'), 'attack_noise': np.array([0.5, -1], 'float32')}");
        assertEquals(0, r.exitCode(), r.output());
        Map<String, double[]> m = read("cc");
        // (1,1) = v adds 0; (1,3) - v clipped to (0,1); v = (1,1) + (0,1)/2. Byzantine: 1 + 2·(0.5, -1)
        assertClose(new double[] {1, 1.5}, m.get("output"));
        assertClose(new double[] {2, -1}, m.get("output_byzantine"));
    }

    @Test
    void bucketingFollowsTheGivenPermutationAndAlieDefaultsItsZ() throws Exception {
        DoptProcess.Result r = run("bk", "{'rule': 'mean', 'hyperparameters': '{}', 'pre_aggregators': '[{\"name\": \"bucketing\", \"s\": 2}]',"
                        + " 'attack': 'alie'}",
                "{'inputs': np.array([[0], [1], [4], [9], [16]], 'float32'), 'permutation': np.array([4, 0, 3, 1, 2], 'int64'),"
                        + " 'honest': np.array([[1], [2], [3], [4]], 'float32')}");
        assertEquals(0, r.exitCode(), r.output());
        Map<String, double[]> m = read("bk");
        // Y = 16, 0, 9, 1, 4 -> buckets 8, 5, 4 -> 17/3. ALIE: n = 5, f = 1 -> z = 0 -> mean(H) = 2.5
        assertClose(new double[] {17.0 / 3}, m.get("output"));
        assertClose(new double[] {2.5}, m.get("output_byzantine"));
        assertTrue(!m.containsKey("output_selected"));
    }

    @Test
    void nnmThenGeometricMedianWithNoAttack() throws Exception {
        DoptProcess.Result r = run("gm", "{'rule': 'geometric_median', 'hyperparameters': '{\"T\": 1, \"nu\": 0.1}',"
                        + " 'pre_aggregators': '[{\"name\": \"nnm\", \"f\": 1}]', 'attack': 'none'}",
                "{'inputs': np.array([[3, 4], [0, 0]], 'float32')}");
        assertEquals(0, r.exitCode(), r.output());
        Map<String, double[]> m = read("gm");
        // nnm with f = 1 over 2 rows keeps each row; one Weiszfeld step from 0: (3,4)/51
        assertClose(new double[] {3.0 / 51, 4.0 / 51}, m.get("output"));
        assertTrue(!m.containsKey("output_byzantine"));
    }

    private void assertRefused(String name, String attrs, String data, String... mentions) throws Exception {
        DoptProcess.Result r = run(name, attrs, data);
        assertEquals(2, r.exitCode(), r.output());
        for (String s : mentions) assertTrue(r.output().contains(s), "expected '" + s + "' in: " + r.output());
    }

    @Test
    void badCasesEndWithAnErrorNamingTheField() throws Exception {
        String rows = "{'inputs': np.array([[0], [1], [2], [3], [4], [5]], 'float32')}";
        assertRefused("unknown", "{'rule': 'krumm'}", rows, "rule: unknown rule 'krumm'");
        assertRefused("tm", "{'rule': 'trimmed_mean', 'hyperparameters': '{\"f\": 3}'}", rows, "hyperparameters", "2f < n", "f = 3", "n = 6");
        assertRefused("perm", "{'rule': 'mean', 'pre_aggregators': '[{\"name\": \"bucketing\", \"s\": 2}]'}",
                "{'inputs': np.array([[0], [1], [2]], 'float32'), 'permutation': np.array([0, 2, 2])}", "/permutation", "twice");
        assertRefused("nan", "{'rule': 'krum', 'hyperparameters': '{\"f\": 1}'}",
                "{'inputs': np.array([[0], [np.nan], [2], [3], [4]], 'float32')}", "/inputs[1, 0]", "NaN");
        assertRefused("typo", "{'rule': 'multi_krum', 'hyperparameters': '{\"f\": 1, \"mm\": 2}'}", rows, "unknown parameter 'mm'");
        assertRefused("noinputs", "{'rule': 'mean'}", "{'honest': np.array([[0.0]])}", "no dataset /inputs");
    }

    @Test
    void theMeanPassesNaNThroughAsNumpyDoes() throws Exception {
        DoptProcess.Result r = run("meannan", "{'rule': 'mean'}", "{'inputs': np.array([[0, 1], [np.nan, 3]], 'float32')}");
        assertEquals(0, r.exitCode(), r.output());
        double[] out = read("meannan").get("output");
        assertTrue(Double.isNaN(out[0]) && out[1] == 2, java.util.Arrays.toString(out));
    }
}
