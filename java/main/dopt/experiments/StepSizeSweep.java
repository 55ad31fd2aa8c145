package dopt.experiments;

import dopt.experiments.clients.EfMethod;
import dopt.experiments.clients.ErrorFeedbackGd;

/**
 * The results of a step-size sweep: one {@link ErrorFeedbackGd.Result} per method, step size and
 * seed, with the summaries a report needs. Losses are reported minus {@code offset[seed]} (f* for
 * problems whose optimum is known, else 0). A run diverged when it stopped being finite or its
 * final f ended no lower than f(x⁰) ({@code startLoss[seed]}); a method's largest stable step is the largest step none of whose
 * seeds diverged; its best step is the one with the lowest mean final loss over seeds.
 */
final class StepSizeSweep {
    final EfMethod[] methods;
    final double[] gammas;
    private final ErrorFeedbackGd.Result[][][] results;   // [method][gamma][seed]
    private final double[] offset, startLoss;
    /** Mean over seeds of ‖∇f(x⁰)‖, to compare the methods' step lengths. */
    final double startGradientNorm;

    StepSizeSweep(EfMethod[] methods, double[] gammas, double[] startLoss, double[] offset, double startGradientNorm) {
        int seeds = startLoss.length;
        if (offset.length != seeds) throw new IllegalArgumentException(offset.length + " offsets for " + seeds + " seeds");
        this.methods = methods.clone();
        this.gammas = gammas.clone();
        this.results = new ErrorFeedbackGd.Result[methods.length][gammas.length][seeds];
        this.offset = offset.clone();
        this.startLoss = startLoss.clone();
        this.startGradientNorm = startGradientNorm;
    }

    void put(int m, int g, int s, ErrorFeedbackGd.Result r) { results[m][g][s] = r; }

    ErrorFeedbackGd.Result get(int m, int g, int s) { return results[m][g][s]; }

    int seeds() { return offset.length; }

    /** f(x⁰) − offset, averaged over seeds. */
    double meanStart() {
        double v = 0;
        for (int s = 0; s < seeds(); s++) v += (startLoss[s] - offset[s]) / seeds();
        return v;
    }

    boolean diverged(int m, int g, int s) {
        ErrorFeedbackGd.Result r = results[m][g][s];
        return r.diverged() || !(r.finalLoss() < startLoss[s]);
    }

    int divergedSeeds(int m, int g) {
        int k = 0;
        for (int s = 0; s < seeds(); s++) if (diverged(m, g, s)) k++;
        return k;
    }

    /** Final losses over seeds, minus the offsets (+∞ for non-finite runs). */
    double[] finals(int m, int g) {
        double[] v = new double[seeds()];
        for (int s = 0; s < v.length; s++) v[s] = results[m][g][s].finalLoss() - offset[s];
        return v;
    }

    /** Mean final loss over seeds; +∞ if any seed's run blew up. */
    double meanFinal(int m, int g) {
        double[] v = finals(m, g);
        for (double x : v) if (!Double.isFinite(x)) return Double.POSITIVE_INFINITY;
        return Stats.mean(v);
    }

    double stdFinal(int m, int g) {
        double[] v = finals(m, g);
        for (double x : v) if (!Double.isFinite(x)) return Double.NaN;
        return Stats.std(v);
    }

    /** The step index with the lowest mean final loss; -1 if every step blew up. */
    int best(int m) {
        int b = -1;
        for (int g = 0; g < gammas.length; g++)
            if (Double.isFinite(meanFinal(m, g)) && (b < 0 || meanFinal(m, g) < meanFinal(m, b))) b = g;
        return b;
    }

    /** The largest step index none of whose seeds diverged; -1 if there is none. */
    int largestStable(int m) {
        for (int g = gammas.length - 1; g >= 0; g--) if (divergedSeeds(m, g) == 0) return g;
        return -1;
    }

    /** The mean over seeds of the loss curve minus the offsets (NaN where a seed's run had stopped). */
    double[] meanCurve(int m, int g) {
        int rounds = results[m][g][0].curve().length;
        double[] c = new double[rounds];
        for (int s = 0; s < seeds(); s++) {
            double[] r = results[m][g][s].curve();
            for (int t = 0; t < rounds; t++) c[t] += (r[t] - offset[s]) / seeds();
        }
        return c;
    }

    double meanTestAccuracy(int m, int g) {
        double[] v = new double[seeds()];
        for (int s = 0; s < v.length; s++) v[s] = results[m][g][s].testAccuracy();
        return Stats.mean(v);
    }
}
