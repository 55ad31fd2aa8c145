package dopt.experiments;

import dopt.data.DataSets;
import dopt.data.Dataset;
import dopt.random.Rng;
import dopt.sampling.BayesianLinearRegression;
import dopt.sampling.GaussianWasserstein;
import dopt.sampling.IsotropicNoise;
import dopt.sampling.ItoChain;
import dopt.sampling.SampleMoments;
import dopt.sampling.SlicedWasserstein;
import dopt.sampling.SymmetricMatrices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sgld-posterior}: SGLD as an Ito chain (Ustimenko and Beznosikov, ICLR 2024,
 * arXiv:2310.06081) sampling the Gaussian posterior of a Bayesian linear regression on
 * {@code heart-scale} (train split, 216 rows, 13 features + intercept; targets ±1; prior N(0, I),
 * noise variance 1), with mini-batch gradients and Gaussian, Rademacher or uniform noise, over a
 * grid of step sizes γ. The posterior is known in closed form, so the distance of the chain's law
 * to it is measured directly:
 * <ul>
 * <li>Bures W2 between N(sample mean, sample covariance) and the posterior: exact for the
 * Gaussian-noise chain with a linear drift, whose law is Gaussian; it measures the first two
 * moments only, and those are the same for every isotropic unit-variance noise here (the drift is
 * linear), so it cannot tell the noise laws apart;</li>
 * <li>sliced W2 between the (thinned) samples and the posterior (exact 1-D distances to the
 * projected Gaussian, averaged over random directions): sensitive to the shape of the law, hence
 * to non-Gaussian noise, at the price of a larger Monte Carlo floor.</li>
 * </ul>
 * Runs last a fixed continuous time t = γ k, so small steps take proportionally more iterations.
 * Two closed-form references come with it: the stationary law of the exact-gradient Euler–Maruyama
 * chain (covariance V diag(1/(λ(1 − γλ/2))) Vᵀ), and the linearised mini-batch chain, whose
 * stationary covariance solves Σ = AΣA + γ²C + 2γI, A = I − γΛ, with the mini-batch gradient noise
 * covariance C frozen at the posterior mean.
 */
public final class SgldPosteriorExperiment implements Experiment {

    private static final int BATCH = 8, KEEP = 20_000, DIRECTIONS = 64;

    @Override public String name() { return "sgld-posterior"; }

    @Override public String claim() {
        return "the W2 distance between the law of SGLD (an Ito chain) and the target falls with the step size gamma, and non-Gaussian "
                + "isotropic noise converges to the same law (Ustimenko & Beznosikov 2024, arXiv:2310.06081)";
    }

    @Override public void run(ExperimentRun run) throws Exception {
        boolean quick = run.quick();
        Dataset train = DataSets.load("heart-scale", Path.of("."))[0];
        int n = train.n(), d = train.dim() + 1;
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d - 1; j++) x[i * d + j] = train.x()[i * (d - 1) + j];
            x[i * d + d - 1] = 1;
            y[i] = train.y()[i] == 1 ? 1 : -1;
        }
        BayesianLinearRegression model = new BayesianLinearRegression(x, y, d, 1, 1);
        double[] mean = model.posteriorMean(), cov = model.posteriorCovariance(), precision = model.posteriorPrecision();
        double[] lambda = new double[d], vectors = new double[d * d];
        SymmetricMatrices.eigen(precision, d, lambda, vectors);
        double lMin = Double.POSITIVE_INFINITY, lMax = 0;
        for (double l : lambda) { lMin = Math.min(lMin, l); lMax = Math.max(lMax, l); }
        double[] gradNoise = minibatchNoiseCovariance(x, y, n, d, mean, BATCH);

        double[] h = quick ? new double[] {0.2, 1} : new double[] {0.05, 0.1, 0.2, 0.5, 1, 1.5};
        double burnTime = 5 / lMin, sampleTime = (quick ? 10 : 400) / lMin;
        run.report().paragraph(String.format(Locale.ROOT,
                "Data: heart-scale train split (n = %d, d = %d with intercept), targets +-1, prior precision 1, noise variance 1. "
                        + "Posterior precision eigenvalues %.3g..%.3g. Step sizes gamma = h / lambda_max for h in %s; mini-batch B = %d "
                        + "(with replacement); burn-in time %.3g, sampling time %.3g (continuous time gamma * steps; moments recorded every 0.5/lambda_max of it); chains start at 0. "
                        + "Sliced W2 over %d random directions on %d thinned samples.",
                n, d, lMin, lMax, java.util.Arrays.toString(h), BATCH, burnTime, sampleTime, DIRECTIONS, KEEP));

        String[] series = {"mini-batch, Gaussian", "mini-batch, Rademacher", "mini-batch, uniform", "full gradient, Gaussian"};
        IsotropicNoise[] noises = {IsotropicNoise.GAUSSIAN, IsotropicNoise.RADEMACHER, IsotropicNoise.UNIFORM, IsotropicNoise.GAUSSIAN};
        int[] batches = {BATCH, BATCH, BATCH, n};
        double[] gammas = new double[h.length];
        for (int g = 0; g < h.length; g++) gammas[g] = h[g] / lMax;

        List<List<Object>> rows = new ArrayList<>();
        double[][] bures = new double[series.length][h.length], sliced = new double[series.length][h.length];
        long[] seeds = run.seeds();
        for (int s = 0; s < series.length; s++) {
            for (int g = 0; g < h.length; g++) {
                double[] b = new double[seeds.length], sw = new double[seeds.length];
                for (int k = 0; k < seeds.length; k++) {
                    double[] dist = sample(model, noises[s], batches[s], gammas[g], lMax, burnTime, sampleTime, mean, cov, seeds[k]);
                    b[k] = dist[0];
                    sw[k] = dist[1];
                }
                bures[s][g] = Stats.mean(b);
                sliced[s][g] = Stats.mean(sw);
                rows.add(List.of(series[s], gammas[g], h[g], Stats.mean(b), Stats.std(b), Stats.mean(sw), Stats.std(sw)));
            }
            run.progress(series[s] + " done");
        }
        double[] emExact = new double[h.length], emMinibatch = new double[h.length];
        for (int g = 0; g < h.length; g++) {
            emExact[g] = GaussianWasserstein.distance(mean, stationaryCovariance(lambda, vectors, d, gammas[g], null), mean, cov, d);
            emMinibatch[g] = GaussianWasserstein.distance(mean, stationaryCovariance(lambda, vectors, d, gammas[g], gradNoise), mean, cov, d);
            rows.add(List.of("closed form, exact gradient", gammas[g], h[g], emExact[g], 0.0, Double.NaN, Double.NaN));
        }
        for (int g = 0; g < h.length; g++) rows.add(List.of("closed form, linearised mini-batch", gammas[g], h[g], emMinibatch[g], 0.0, Double.NaN, Double.NaN));

        LinePlot buresPlot = new LinePlot("SGLD on heart-scale: Bures W2 to the posterior", "step size gamma", "W2 (Gaussian/Bures)", true, true);
        LinePlot slicedPlot = new LinePlot("SGLD on heart-scale: sliced W2 to the posterior", "step size gamma", "sliced W2", true, true);
        StringBuilder slopes = new StringBuilder("Fitted slope of log W2 on log gamma (all gammas; the 4 largest in brackets), Bures / sliced: ");
        double fromGamma = gammas[Math.max(0, h.length - 4)];
        for (int s = 0; s < series.length; s++) {
            buresPlot.series(series[s], gammas, bures[s], true);
            slicedPlot.series(series[s], gammas, sliced[s], true);
            slopes.append(String.format(Locale.ROOT, "%s %.2f [%.2f] / %.2f [%.2f]; ", series[s],
                    MlmcMarkovExperiment.slope(gammas, bures[s], 0), MlmcMarkovExperiment.slope(gammas, bures[s], fromGamma),
                    MlmcMarkovExperiment.slope(gammas, sliced[s], 0), MlmcMarkovExperiment.slope(gammas, sliced[s], fromGamma)));
        }
        buresPlot.series("closed form, exact gradient", gammas, emExact, false);
        buresPlot.series("closed form, linearised mini-batch", gammas, emMinibatch, false);
        run.report().heading("W2 to the posterior vs step size")
                .table("sgld-w2.csv", List.of("sampler", "gamma", "h = gamma*lambda_max", "Bures W2 (mean)", "Bures sd", "sliced W2 (mean)", "sliced sd"), rows)
                .paragraph(slopes.toString())
                .plot("sgld-bures-w2.png", buresPlot, "Bures W2 between the chain's sample moments and the posterior vs gamma (log-log), mean over seeds; lines: closed forms")
                .plot("sgld-sliced-w2.png", slicedPlot, "Sliced W2 between the thinned samples and the posterior vs gamma (log-log), mean over seeds");
    }

    /** {Bures W2, sliced W2} of one chain's samples to the posterior. */
    private static double[] sample(BayesianLinearRegression model, IsotropicNoise noise, int batch, double gamma, double lambdaMax, double burnTime,
                                   double sampleTime, double[] mean, double[] cov, long seed) {
        int d = model.dim();
        ItoChain chain = ItoChain.sgld(model.minibatchGradient(batch, Rng.derive(seed, 1)), 1, noise, gamma, Rng.derive(seed, 2), new double[d]);
        long burn = (long) Math.ceil(burnTime / gamma), steps = (long) Math.ceil(sampleTime / gamma);
        for (long k = 0; k < burn; k++) chain.step();
        SampleMoments moments = new SampleMoments(d);
        // the slowest direction decorrelates over 1/lambda_min, so recording every step at small gamma buys little:
        // moments are taken every ~1/(2 lambda_max) of chain time
        long every = Math.max(1, Math.round(0.5 / (gamma * lambdaMax)));
        int keep = (int) Math.min(KEEP, steps);
        long thin = steps / keep;
        double[] kept = new double[keep * d];
        int stored = 0;
        for (long k = 1; k <= steps; k++) {
            chain.step();
            double[] w = chain.x();
            for (double v : w) if (!Double.isFinite(v)) return new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
            if (k % every == 0) moments.add(w);
            if (k % thin == 0 && stored < keep) System.arraycopy(w, 0, kept, d * stored++, d);
        }
        double b = GaussianWasserstein.distance(moments.mean(), moments.covariance(), mean, cov, d);
        double sw = SlicedWasserstein.toGaussian(kept, stored, d, mean, cov, DIRECTIONS, Rng.derive(seed, 3));
        return new double[] {b, sw};
    }

    /**
     * Stationary covariance of w' = w − γ(Λ(w − μ) + e) + √(2γ) ξ with gradient noise e of covariance
     * C (null: none): in the eigenbasis of Λ, Σ̃_ij = (γ² C̃_ij + 2γ δ_ij) / (1 − (1 − γλ_i)(1 − γλ_j)).
     */
    static double[] stationaryCovariance(double[] lambda, double[] v, int d, double gamma, double[] c) {
        double[] ct = new double[d * d];
        if (c != null) { // Vᵀ C V
            double[] cv = new double[d * d];
            for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) for (int j = 0; j < d; j++) cv[i * d + j] += c[i * d + k] * v[k * d + j];
            for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) for (int j = 0; j < d; j++) ct[i * d + j] += v[k * d + i] * cv[k * d + j];
        }
        double[] st = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                st[i * d + j] = (gamma * gamma * ct[i * d + j] + (i == j ? 2 * gamma : 0)) / (1 - (1 - gamma * lambda[i]) * (1 - gamma * lambda[j]));
        double[] out = new double[d * d], tmp = new double[d * d]; // V Σ̃ Vᵀ
        for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) for (int j = 0; j < d; j++) tmp[i * d + j] += v[i * d + k] * st[k * d + j];
        for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) for (int j = 0; j < d; j++) out[i * d + j] += tmp[i * d + k] * v[j * d + k];
        return out;
    }

    /**
     * Covariance of the mini-batch gradient noise at w: with B rows drawn with replacement and
     * g_i = n x_i (x_iᵀw − y_i) (the data term scaled to the full sum), Cov = (1/B) Cov_i(g_i).
     */
    static double[] minibatchNoiseCovariance(double[] x, double[] y, int n, int d, double[] w, int batch) {
        double[] g = new double[n * d], m = new double[d], c = new double[d * d];
        for (int i = 0; i < n; i++) {
            double r = -y[i];
            for (int j = 0; j < d; j++) r += x[i * d + j] * w[j];
            for (int j = 0; j < d; j++) { g[i * d + j] = n * r * x[i * d + j]; m[j] += g[i * d + j] / n; }
        }
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) c[a * d + b] += (g[i * d + a] - m[a]) * (g[i * d + b] - m[b]) / n / batch;
        return c;
    }
}
