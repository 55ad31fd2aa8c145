package dopt.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The HDF5 files of {@code dopt optim-replay}: the input holds root attributes {@code optimizer}
 * (a name) and {@code hyperparameters} (JSON text) and datasets {@code /x0} (initial parameters,
 * 1-D or 2-D) and {@code /grads} (steps × the parameter's shape), float32 or float64; the output
 * is a copy of the input plus {@code /xs} (steps × shape, float32: the parameters after each step).
 */
public final class ReplayFile {
    private ReplayFile() { }

    /** An input case; values converted to float, {@code x0Raw}/{@code gradsRaw} as read for the copy. */
    public record Case(String optimizer, String hyperparameters, float[] x0, int[] shape, float[][] grads,
                       Map<String, Object> attributes, Object x0Raw, Object gradsRaw) { }

    public static Case read(Path file) throws IOException {
        try (HdfFile h = HdfFiles.open(file, "replay case")) {
            Map<String, Object> attrs = HdfFiles.rootAttributes(h);
            Map<String, String> text = HdfFiles.asText(attrs);
            String opt = text.get("optimizer"), hp = text.getOrDefault("hyperparameters", "{}");
            if (opt == null) throw new IOException("replay case " + file + " has no root attribute 'optimizer'");
            Dataset x0 = dataset(h, "x0", file), grads = dataset(h, "grads", file);
            int[] shape = x0.getDimensions();
            int[] gd = grads.getDimensions();
            if (shape.length < 1 || shape.length > 2)
                throw new IOException("replay case " + file + ": /x0 must be 1-D or 2-D, it is " + java.util.Arrays.toString(shape));
            if (gd.length != shape.length + 1 || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(gd, 1, gd.length), shape))
                throw new IOException("replay case " + file + ": /grads has shape " + java.util.Arrays.toString(gd)
                        + " but must be steps × " + java.util.Arrays.toString(shape));
            float[] x = toFloats(x0.getDataFlat());
            float[] g = toFloats(grads.getDataFlat());
            int steps = gd[0], size = x.length;
            float[][] perStep = new float[steps][size];
            for (int s = 0; s < steps; s++) System.arraycopy(g, s * size, perStep[s], 0, size);
            return new Case(opt, hp, x, shape, perStep, attrs, x0.getData(), grads.getData());
        }
    }

    /** Writes {@code out}: the input's attributes and datasets, plus {@code /xs}. */
    public static void writeResult(Case c, float[][] xs, Path out) throws IOException {
        Object xsArray;
        if (c.shape().length == 1) {
            xsArray = xs;
        } else {
            int rows = c.shape()[0], cols = c.shape()[1];
            float[][][] a = new float[xs.length][rows][cols];
            for (int s = 0; s < xs.length; s++)
                for (int r = 0; r < rows; r++) System.arraycopy(xs[s], r * cols, a[s][r], 0, cols);
            xsArray = a;
        }
        Object finalXs = xsArray;
        HdfFiles.writeAtomically(out, "replay result", c.attributes(), (w, text) -> {
            w.putDataset("x0", c.x0Raw());
            w.putDataset("grads", c.gradsRaw());
            w.putDataset("xs", finalXs);
        });
    }

    private static Dataset dataset(HdfFile h, String name, Path file) throws IOException {
        Node n = h.getChildren().get(name);
        if (!(n instanceof Dataset d)) throw new IOException("replay case " + file + " has no dataset /" + name);
        return d;
    }

    private static float[] toFloats(Object flat) throws IOException {
        if (flat instanceof float[] f) return f;
        if (flat instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        throw new IOException("replay datasets must be float32 or float64, not " + flat.getClass().getSimpleName());
    }
}
