package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dopt optim-replay} on cases written by h5py (as an outside conformance suite would), with
 * the expected parameters worked out by hand.
 */
class OptimReplayIT {
    @TempDir Path dir;

    /** Writes a case with h5py, replays it, and returns the /xs values h5py reads back, flattened. */
    private double[] replay(String optimizer, String hp, String x0, String grads, String dtype) throws Exception {
        Path in = dir.resolve(optimizer + ".h5"), out = dir.resolve(optimizer + "-out.h5");
        String py = String.join("\n",
                "import h5py, numpy as np, sys",
                "with h5py.File(sys.argv[1], 'w') as f:",
                "    f.attrs['optimizer'] = sys.argv[2]",
                "    f.attrs['hyperparameters'] = sys.argv[3]",
                "    f['x0'] = np.array(" + x0 + ", dtype='" + dtype + "')",
                "    f['grads'] = np.array(" + grads + ", dtype='" + dtype + "')");
        DoptProcess.Result w = DoptProcess.exec(List.of("/usr/bin/python3", "-c", py, in.toString(), optimizer, hp), dir, 60);
        assertEquals(0, w.exitCode(), w.output());
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "optim-replay", "--in", in.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.output());
        DoptProcess.Result read = DoptProcess.exec(List.of("/usr/bin/python3", "-c",
                "import h5py,sys; f=h5py.File(sys.argv[1],'r'); a=f.attrs['optimizer']; "
                        // jhdf writes fixed-length strings, which h5py returns as bytes
                        + "assert (a.decode() if isinstance(a, bytes) else a)==sys.argv[2]; "
                        + "assert (f['grads'][:]==f['grads'][:]).all() and 'x0' in f; "
                        + "print('XS', ' '.join(repr(float(v)) for v in f['xs'][:].ravel()))",
                out.toString(), optimizer), dir, 60);
        assertEquals(0, read.exitCode(), read.output());
        String line = read.output().lines().filter(l -> l.startsWith("XS")).findFirst().orElseThrow();
        String[] parts = line.substring(3).trim().split(" ");
        double[] xs = new double[parts.length];
        for (int i = 0; i < parts.length; i++) xs[i] = Double.parseDouble(parts[i]);
        return xs;
    }

    private static void assertClose(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-6, "xs[" + i + "]");
    }

    @Test
    void sgdTakesPlainSteps() throws Exception {
        assertClose(new double[] {0.9, 1.9, 0.7, 2.1},
                replay("sgd", "{\"lr\": 0.1}", "[1, 2]", "[[1, 1], [2, -2]]", "float64"));
    }

    @Test
    void momentumAccumulates() throws Exception {
        // b1 = g1 = 1, x1 = 1 - 0.1; b2 = 0.5·1 + 1 = 1.5, x2 = 0.9 - 0.15
        assertClose(new double[] {0.9, 0.75}, replay("sgdm", "{\"lr\": 0.1, \"momentum\": 0.5}", "[1]", "[[1], [1]]", "float32"));
    }

    @Test
    void adamsFirstStepIsLrTimesSignAndClippingActsFirst() throws Exception {
        assertClose(new double[] {-0.01, 0.01, 0.0}, replay("adam", "{\"lr\": 0.01}", "[0, 0, 0]", "[[3, -0.5, 0]]", "float32"));
        // ‖(3,4)‖ = 5 clipped to 1: (0.6, 0.8)
        assertClose(new double[] {-0.06, -0.08}, replay("sgd", "{\"lr\": 0.1, \"clip\": 1.0}", "[0, 0]", "[[3, 4]]", "float32"));
    }

    @Test
    void signSgdAndAdagrad() throws Exception {
        assertClose(new double[] {0.5, 1.5}, replay("signsgd", "{\"lr\": 0.5}", "[1, 1]", "[[2, -0.001]]", "float32"));
        // AdaGrad: sum = 4 then 4+9; x1 = 1 - 0.1·2/2, x2 = x1 - 0.1·3/√13
        assertClose(new double[] {0.9, 0.9 - 0.3 / Math.sqrt(13)},
                replay("adagrad", "{\"lr\": 0.1, \"eps\": 0}", "[1]", "[[2], [3]]", "float32"));
    }

    @Test
    void frugalOnAMatrixWithZeroBudgetIsSignSgdAtLrFree() throws Exception {
        assertClose(new double[] {0.99, 1.01, 1.0, 0.99},
                replay("frugal", "{\"lr\": 0.1, \"lr_free\": 0.01, \"rho\": 0, \"projector\": \"random\"}", "[[1, 1], [1, 1]]",
                        "[[[5, -2], [0, 0.5]]]", "float32"));
    }

    @Test
    void kateAndClipRAdaGradD() throws Exception {
        assertClose(new double[] {-0.5, -0.5 - Math.sqrt(1.5) * 2 / 8},
                replay("kate", "{\"lr\": 1.0, \"eta\": 0}", "[0]", "[[2], [2]]", "float32"));
        assertClose(new double[] {-0.075, -0.1, -0.15, -0.2},
                replay("adagrad-norm-delay", "{\"lr\": 0.5, \"b0\": 4.0, \"clip\": 1.0, \"eta\": 0}", "[0, 0]",
                        "[[3, 4], [30, 40]]", "float32"));
    }

    @Test
    void aCaseWithoutGradientsIsAClearError() throws Exception {
        Path in = dir.resolve("bad.h5");
        DoptProcess.exec(List.of("/usr/bin/python3", "-c",
                "import h5py,sys; f=h5py.File(sys.argv[1],'w'); f.attrs['optimizer']='sgd'; f['x0']=[1.0]", in.toString()), dir, 60);
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "optim-replay", "--in", in.toString(), "--out", dir.resolve("o.h5").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("no dataset /grads"), r.output());
    }
}
