package dopt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.random.Rng;
import org.junit.jupiter.api.Test;

class PosteriorDistancesTest {

    @Test
    void posteriorOfATwoParameterRegressionByHand() {
        // X = diag(1, 2), y = (1, 1), α = 1, s² = 1: Λ = diag(2, 5), μ = Λ⁻¹ Xᵀy = (1/2, 2/5)
        BayesianLinearRegression r = new BayesianLinearRegression(new double[] {1, 0, 0, 2}, new double[] {1, 1}, 2, 1, 1);
        assertArrayEquals(new double[] {2, 0, 0, 5}, r.posteriorPrecision(), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.4}, r.posteriorMean(), 1e-15);
        assertArrayEquals(new double[] {0.5, 0, 0, 0.2}, r.posteriorCovariance(), 1e-15);
        double[] g = new double[2];
        r.fullGradient().evaluate(r.posteriorMean(), g);
        assertArrayEquals(new double[] {0, 0}, g, 1e-15);
        // the mini-batch gradient is unbiased: its mean over many batches at w = (1, 1) is ∇U = Λw − Xᵀy = (2, 5) − (1, 2) = (1, 3)
        var mb = r.minibatchGradient(1, new Rng(5));
        double[] sum = new double[2];
        int n = 100_000;
        for (int k = 0; k < n; k++) {
            mb.evaluate(new double[] {1, 1}, g);
            sum[0] += g[0] / n;
            sum[1] += g[1] / n;
        }
        assertArrayEquals(new double[] {1, 3}, sum, 0.05);
    }

    @Test
    void buresDistanceOfGaussiansByHand() {
        // 1-D: W2(N(0, 1), N(1, 4)) = √(1 + (1 − 2)²) = √2
        assertEquals(Math.sqrt(2), GaussianWasserstein.distance(new double[] {0}, new double[] {1}, new double[] {1}, new double[] {4}, 1), 1e-12);
        // a rotated covariance against itself: 0; against the identity: Σ (√λ − 1)² with λ = 4, 1
        double c = Math.cos(0.3), s = Math.sin(0.3);
        double[] cov = {4 * c * c + s * s, 3 * c * s, 3 * c * s, 4 * s * s + c * c};
        assertEquals(0, GaussianWasserstein.distance(new double[2], cov, new double[2], cov, 2), 1e-7);
        assertEquals(1, GaussianWasserstein.distance(new double[2], cov, new double[2], new double[] {1, 0, 0, 1}, 2), 1e-12);
    }

    @Test
    void jacobiEigenAndSquareRootReconstructTheMatrix() {
        double[] a = {4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2};
        double[] root = SymmetricMatrices.sqrtPsd(a, 3);
        assertArrayEquals(a, SymmetricMatrices.multiply(root, root, 3), 1e-12);
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, SymmetricMatrices.multiply(a, SymmetricMatrices.inversePositiveDefinite(a, 3), 3), 1e-12);
        var ex = assertThrows(IllegalArgumentException.class, () -> SymmetricMatrices.cholesky(new double[] {1, 2, 2, 1}, 2));
        assertTrue(ex.getMessage().contains("not positive definite"));
    }

    @Test
    void slicedDistanceIsZeroOnGaussianQuantilesAndTheShiftOnShiftedOnes() {
        int n = 2000;
        double[] q = new double[n];
        for (int i = 0; i < n; i++) q[i] = 1 + 2 * SlicedWasserstein.inverseNormalCdf((i + 0.5) / n);
        // midpoint quantiles still miss the spread inside each 1/n slice (most in the tails): W2² = 3.0e-4 here, O(log n / n)
        double base = SlicedWasserstein.oneDimensional(q.clone(), n, 1, 2);
        assertTrue(base > 0 && base < 5e-4, "W2² " + base);
        double[] shifted = q.clone();
        for (int i = 0; i < n; i++) shifted[i] += 0.3;
        // (s + c − q)² adds 2c (mean s − m) + c² = c² to the unshifted distance
        assertEquals(base + 0.3 * 0.3, SlicedWasserstein.oneDimensional(shifted, n, 1, 2), 1e-6);
        assertEquals(1.959963985, SlicedWasserstein.inverseNormalCdf(0.975), 1e-8);

        // 2-D samples from N(0, I) shifted by δ = (0.5, 0): SW2² = E_θ (θᵀδ)² = |δ|²/2
        Rng rng = new Rng(1);
        int m = 20_000;
        double[] pts = new double[2 * m];
        for (int i = 0; i < 2 * m; i++) pts[i] = rng.nextGaussian() + (i % 2 == 0 ? 0.5 : 0);
        double sw = SlicedWasserstein.toGaussian(pts, m, 2, new double[2], new double[] {1, 0, 0, 1}, 200, new Rng(2));
        assertEquals(Math.sqrt(0.125), sw, 0.03);
    }

    @Test
    void momentsOfAStream() {
        SampleMoments m = new SampleMoments(2);
        m.add(new double[] {1, 2});
        m.add(new double[] {3, 2});
        assertArrayEquals(new double[] {2, 2}, m.mean(), 0);
        assertArrayEquals(new double[] {1, 0, 0, 0}, m.covariance(), 0);
    }
}
