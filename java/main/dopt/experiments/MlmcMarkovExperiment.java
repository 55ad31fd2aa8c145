package dopt.experiments;

import dopt.markov.Ar1Chain;
import dopt.markov.LazyRandomWalk;
import dopt.markov.LeastSquaresRowGradient;
import dopt.markov.MarkovAcceleratedSgd;
import dopt.markov.MarkovChain;
import dopt.markov.MarkovExtragradient;
import dopt.markov.MarkovMethod;
import dopt.markov.MarkovSgd;
import dopt.markov.MlmcBatchEstimator;
import dopt.markov.NoisyBilinearGame;
import dopt.markov.NoisyQuadraticGradient;
import dopt.markov.StochasticOperator;
import dopt.random.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mlmc-markov}: error after a fixed budget of chain samples versus the chain's mixing time
 * τ, for SGD on batches of one consecutive sample and for the MLMC randomized batch (SGD, the
 * accelerated method, extragradient) of Beznosikov et al. 2023 (arXiv:2305.15938). Synthetic
 * problems, as in the paper: (1) a 10-dimensional quadratic whose gradient noise is an AR(1)
 * chain, (2) a least-squares finite sum whose rows are visited by a lazy random walk, (3) a
 * strongly monotone bilinear game with AR(1) noise, solved by extragradient.
 *
 * <p>The paper's claim is about oracle complexity: samples to reach ε grow linearly in τ. At a
 * fixed budget with the best step size of a small grid (chosen per τ and method on the mean over
 * seeds), the error should then grow about linearly in τ; the slope of log error on log τ is fitted
 * by least squares and reported. "Final error" is ‖x − x*‖² averaged over the last 10% of the
 * budget's iterations (one final iterate is too noisy to compare).
 */
public final class MlmcMarkovExperiment implements Experiment {

    private static final int DIM = 10, GAME_M = 5, ROWS = 200;
    private static final int BATCH_LIMIT = 64;

    @Override public String name() { return "mlmc-markov"; }

    @Override public String claim() {
        return "with the MLMC randomized batch, the error of SGD / accelerated SGD / extragradient under Markovian noise grows linearly "
                + "in the mixing time tau (Beznosikov, Samsonov, Sheshukova, Gasnikov, Naumov, Moulines 2023, arXiv:2305.15938)";
    }

    /** One method on one problem: builds a run for (seed, tau, step size). */
    private interface MethodFactory {
        MarkovMethod create(long seed, double tau, double gamma);
    }

    private record Method(String name, MethodFactory factory) { }

    private record Problem(String name, String csv, String chainName, double[] solution, List<Method> methods) { }

    @Override public void run(ExperimentRun run) throws Exception {
        boolean quick = run.quick();
        double[] taus = quick ? new double[] {1, 4, 16} : new double[] {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
        double[] gammas = quick ? new double[] {0.01, 0.03} : new double[] {3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03};
        long budget = quick ? 1 << 12 : 1 << 18;
        long[] seeds = run.seeds();

        run.report().paragraph(String.format(java.util.Locale.ROOT,
                "Synthetic problems, as in the paper. Budget: %d chain samples per run; MLMC with B = 1 and M = %d "
                        + "(expected %.3f samples per estimate); step size chosen per (method, tau) from %s on the mean over seeds; "
                        + "error = |x - x*|^2 averaged over the last 10%% of the iterations. tau is the chain's relaxation time "
                        + "1/(1 - lambda_2): AR(1) with rho = 1 - 1/tau, lazy walk with jump probability 1/tau.",
                budget, BATCH_LIMIT, MlmcBatchEstimator.expectedSamples(1, BATCH_LIMIT), java.util.Arrays.toString(gammas)));

        for (Problem p : problems()) {
            run.progress(p.name);
            List<List<Object>> rows = new ArrayList<>();
            LinePlot plot = new LinePlot(p.name, "mixing time tau", "final |x - x*|^2", true, true);
            StringBuilder slopes = new StringBuilder("Fitted slope of log(error) on log(tau) (all taus; taus >= 4 in brackets), and the least-squares affine fit error = a + b tau: ");
            for (Method m : p.methods) {
                double[] best = new double[taus.length];
                for (int t = 0; t < taus.length; t++) {
                    double bestMean = Double.POSITIVE_INFINITY, bestGamma = Double.NaN;
                    double[] bestErrs = null;
                    for (double gamma : gammas) {
                        double[] errs = new double[seeds.length];
                        for (int s = 0; s < seeds.length; s++) errs[s] = finalError(m.factory.create(seeds[s], taus[t], gamma), p.solution, budget);
                        double mean = Stats.mean(errs);
                        if (Double.isFinite(mean) && mean < bestMean) { bestMean = mean; bestGamma = gamma; bestErrs = errs; }
                    }
                    best[t] = bestMean;
                    rows.add(List.of(m.name, (int) taus[t], bestGamma, bestMean, bestErrs == null ? Double.NaN : Stats.std(bestErrs)));
                }
                plot.series(m.name, taus, best, true);
                double[] ab = affine(taus, best);
                slopes.append(String.format(java.util.Locale.ROOT, "%s %.3f [%.3f], affine fit %.4g + %.4g tau; ", m.name, slope(taus, best, 1), slope(taus, best, 4), ab[0], ab[1]));
                run.progress(p.name + " " + m.name + " done");
            }
            run.report().heading(p.name + " (" + p.chainName + ")")
                    .table(p.csv + ".csv", List.of("method", "tau", "best step", "final error (mean)", "sd over seeds"), rows)
                    .paragraph(slopes.toString())
                    .plot(p.csv + ".png", plot, p.name + ": final error vs mixing time (log-log), best step size per point");
        }
    }

    /** ‖x − x*‖² averaged over the iterations in the last 10% of the sample budget; +∞ if it blew up. */
    static double finalError(MarkovMethod method, double[] solution, long budget) {
        long tail = budget - budget / 10;
        double sum = 0;
        long count = 0;
        while (method.samples() < budget) {
            method.step();
            if (method.samples() >= tail) {
                double e = 0;
                double[] x = method.x();
                for (int i = 0; i < x.length; i++) e += (x[i] - solution[i]) * (x[i] - solution[i]);
                if (!Double.isFinite(e) || e > 1e12) return Double.POSITIVE_INFINITY;
                sum += e;
                count++;
            }
        }
        return count == 0 ? Double.POSITIVE_INFINITY : sum / count;
    }

    /** Least-squares slope of log y on log x over the points with x ≥ fromX and finite positive y. */
    static double slope(double[] x, double[] y, double fromX) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] < fromX || !(y[i] > 0) || !Double.isFinite(y[i])) continue;
            double lx = Math.log(x[i]), ly = Math.log(y[i]);
            sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly; n++;
        }
        if (n < 2) return Double.NaN;
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    /** {a, b} of the least-squares line y = a + b x over the finite points (an O(τ) bound has this shape, the intercept included). */
    static double[] affine(double[] x, double[] y) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(y[i])) continue;
            sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i]; n++;
        }
        if (n < 2) return new double[] {Double.NaN, Double.NaN};
        double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        return new double[] {(sy - b * sx) / n, b};
    }

    private static List<Problem> problems() {
        List<Problem> out = new ArrayList<>();

        // (1) quadratic with curvatures log-spaced in [0.1, 1], AR(1) gradient noise with unit stationary sd
        Rng problemRng = new Rng(0x5EED);
        double[] curv = new double[DIM], xStar = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            curv[i] = Math.pow(10, -1 + (double) i / (DIM - 1));
            xStar[i] = problemRng.nextGaussian();
        }
        NoisyQuadraticGradient quad = new NoisyQuadraticGradient(curv, xStar);
        MethodFactory[] quadAr1 = chainsFor(quad, (seed, tau) -> Ar1Chain.withMixingTime(DIM, tau, 1, Rng.derive(seed, 1, (long) tau)));
        out.add(new Problem("Quadratic, AR(1) gradient noise", "quadratic-ar1", "d = 10, curvatures 0.1..1, AR(1) noise, stationary sd 1",
                xStar, List.of(new Method("SGD batch 1", quadAr1[0]), new Method("MLMC-SGD", quadAr1[1]),
                        accelerated(quad, 1), accelerated(quad, 0.1), accelerated(quad, 0.03))));

        // (2) least squares over ROWS synthetic rows a ~ N(0, I/d), y = a.w + 0.3 eps; rows visited by a lazy walk
        double[] rowsData = new double[ROWS * (DIM + 1)], w = new double[DIM];
        for (int i = 0; i < DIM; i++) w[i] = problemRng.nextGaussian();
        for (int r = 0; r < ROWS; r++) {
            double y = 0;
            for (int i = 0; i < DIM; i++) {
                double a = problemRng.nextGaussian() / Math.sqrt(DIM);
                rowsData[r * (DIM + 1) + i] = a;
                y += a * w[i];
            }
            rowsData[r * (DIM + 1) + DIM] = y + 0.3 * problemRng.nextGaussian();
        }
        LeastSquaresRowGradient ls = new LeastSquaresRowGradient(DIM);
        MethodFactory[] lsWalk = chainsFor(ls, (seed, tau) -> LazyRandomWalk.withMixingTime(rowsData, DIM + 1, tau, Rng.derive(seed, 2, (long) tau)));
        out.add(new Problem("Least squares, lazy random walk over rows", "least-squares-walk", "200 synthetic rows, d = 10, lazy walk with p = 1/tau",
                leastSquaresSolution(rowsData), List.of(new Method("SGD batch 1", lsWalk[0]), new Method("MLMC-SGD", lsWalk[1]))));

        // (3) strongly monotone bilinear game, AR(1) operator noise, extragradient
        double[] a = new double[GAME_M * GAME_M], b = new double[GAME_M], c = new double[GAME_M];
        for (int i = 0; i < a.length; i++) a[i] = problemRng.nextGaussian() / Math.sqrt(GAME_M);
        for (int i = 0; i < GAME_M; i++) { b[i] = problemRng.nextGaussian(); c[i] = problemRng.nextGaussian(); }
        NoisyBilinearGame game = new NoisyBilinearGame(GAME_M, 0.1, a, b, c);
        out.add(new Problem("Bilinear game, AR(1) operator noise", "bilinear-game-ar1", "u, v in R^5, mu = 0.1, A ~ N(0, 1/5), AR(1) noise sd 1",
                game.solution(), List.of(
                        new Method("EG batch 1", (seed, tau, gamma) -> new MarkovExtragradient(
                                estimator(Ar1Chain.withMixingTime(2 * GAME_M, tau, 1, Rng.derive(seed, 3, (long) tau)), game, 1, seed), gamma, new double[2 * GAME_M])),
                        new Method("MLMC-EG", (seed, tau, gamma) -> new MarkovExtragradient(
                                estimator(Ar1Chain.withMixingTime(2 * GAME_M, tau, 1, Rng.derive(seed, 3, (long) tau)), game, BATCH_LIMIT, seed), gamma, new double[2 * GAME_M])))));
        return out;
    }

    /**
     * MLMC accelerated SGD with the momenta of the paper's Theorem 1 for μ = 0.1 (the smallest
     * curvature) and a given p: with additive noise the momentum η = √(3/(μγ)) amplifies the noise,
     * and the theorem's remedy is a smaller p, so three values are run as separate methods.
     */
    private static Method accelerated(NoisyQuadraticGradient quad, double p) {
        return new Method("MLMC-ASGD p=" + p, (seed, tau, gamma) -> MarkovAcceleratedSgd.withTheoryMomenta(
                estimator(Ar1Chain.withMixingTime(DIM, tau, 1, Rng.derive(seed, 1, (long) tau)), quad, BATCH_LIMIT, seed), gamma, 0.1, p, new double[DIM]));
    }

    private interface ChainFactory {
        MarkovChain create(long seed, double tau);
    }

    /** {SGD on batches of one consecutive sample, MLMC-SGD}, both on the same chain stream. */
    private static MethodFactory[] chainsFor(StochasticOperator op, ChainFactory chains) {
        return new MethodFactory[] {
                (seed, tau, gamma) -> new MarkovSgd(estimator(chains.create(seed, tau), op, 1, seed), gamma, new double[op.dim()]),
                (seed, tau, gamma) -> new MarkovSgd(estimator(chains.create(seed, tau), op, BATCH_LIMIT, seed), gamma, new double[op.dim()])};
    }

    private static MlmcBatchEstimator estimator(MarkovChain chain, StochasticOperator op, int maxBatch, long seed) {
        return new MlmcBatchEstimator(chain, op, 1, maxBatch, Rng.derive(seed, 99));
    }

    /** The minimizer of (1/n) Σ ½ (a_iᵀx − y_i)² from the normal equations. */
    private static double[] leastSquaresSolution(double[] rows) {
        double[] gram = new double[DIM * DIM], rhs = new double[DIM];
        for (int r = 0; r < ROWS; r++) {
            int o = r * (DIM + 1);
            for (int i = 0; i < DIM; i++) {
                rhs[i] += rows[o + i] * rows[o + DIM];
                for (int j = 0; j < DIM; j++) gram[i * DIM + j] += rows[o + i] * rows[o + j];
            }
        }
        return dopt.sampling.SymmetricMatrices.solvePositiveDefinite(gram, rhs, DIM);
    }
}
