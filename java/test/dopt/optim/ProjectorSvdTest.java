package dopt.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.random.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GaLore's SVD basis on a gradient EJML's float SVD does not converge on (a TopK-compressed mean, 299 nonzeros in a
 * 512×784 matrix, recorded from the budget sweep where it ended four runs with "SVD did not converge"): the basis is
 * orthonormal and captures the top singular values that numpy computes in float64.
 */
class ProjectorSvdTest {
    private static final Path CASE = Path.of("java/test-resources/dopt/optim/svd-no-convergence-512x784.txt").toAbsolutePath();
    private static final int M = 512, N = 784;

    private static double header(List<String> lines, String key) {
        for (String l : lines) if (l.startsWith("# " + key)) return Double.parseDouble(l.substring(l.lastIndexOf(':') + 1).trim());
        throw new IllegalStateException(key);
    }

    private static double captured(int r, float[] g) {
        Projector p = new Projector(M, N, r, new float[Projector.basisSize(M, N, r)]);
        p.refresh(Projector.Kind.SVD, g, new Rng(1));
        float[] b = p.basisCopy(); // m×r (left side: m < n)
        for (int a = 0; a < r; a++)
            for (int c = 0; c < r; c++) {
                double d = 0;
                for (int i = 0; i < M; i++) d += (double) b[i * r + a] * b[i * r + c];
                assertEquals(a == c ? 1 : 0, d, 1e-4, "basis column " + a + " . column " + c);
            }
        float[] low = new float[Projector.lowSize(M, N, r)];
        p.project(g, low);
        double e = 0;
        for (float x : low) e += (double) x * x;
        return e;
    }

    @Test
    void aSparseGradientEjmlCannotDecomposeStillGivesTheTopSubspace() throws Exception {
        List<String> lines = Files.readAllLines(CASE);
        float[] g = new float[M * N];
        for (String l : lines) {
            if (l.startsWith("#")) continue;
            String[] f = l.trim().split(" ");
            g[Integer.parseInt(f[0]) * N + Integer.parseInt(f[1])] = Float.parseFloat(f[2]);
        }
        assertEquals(header(lines, "sum of the 4 largest"), captured(4, g), 1e-5, "the top 4 singular directions");
        // rank 120 exceeds the gradient's rank (92): every direction is captured, the rest of the basis is unit vectors
        assertEquals(header(lines, "squared Frobenius"), captured(120, g), 1e-5);
    }
}
