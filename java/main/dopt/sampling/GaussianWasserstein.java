package dopt.sampling;

/**
 * The 2-Wasserstein distance between two Gaussians in closed form (Dowson and Landau 1982;
 * Givens and Shortt 1984): W2² = |m₁ − m₂|² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₂^{1/2} Σ₁ Σ₂^{1/2})^{1/2},
 * the Bures metric on the covariances. Applied to a sampler's mean and covariance it measures how
 * far its first two moments are from a Gaussian target, and is blind to everything else.
 */
public final class GaussianWasserstein {
    private GaussianWasserstein() { }

    public static double distance(double[] mean1, double[] cov1, double[] mean2, double[] cov2, int n) {
        if (mean1.length != n || mean2.length != n) throw new IllegalArgumentException("means must have " + n + " entries");
        double d2 = 0;
        for (int i = 0; i < n; i++) d2 += (mean1[i] - mean2[i]) * (mean1[i] - mean2[i]);
        double[] root2 = SymmetricMatrices.sqrtPsd(cov2, n);
        double[] inner = SymmetricMatrices.multiply(SymmetricMatrices.multiply(root2, cov1, n), root2, n);
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) { // symmetrize rounding
            double s = 0.5 * (inner[i * n + j] + inner[j * n + i]);
            inner[i * n + j] = s;
            inner[j * n + i] = s;
        }
        double[] root = SymmetricMatrices.sqrtPsd(inner, n);
        for (int i = 0; i < n; i++) d2 += cov1[i * n + i] + cov2[i * n + i] - 2 * root[i * n + i];
        return Math.sqrt(Math.max(d2, 0));
    }
}
