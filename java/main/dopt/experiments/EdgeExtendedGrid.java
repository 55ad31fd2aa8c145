package dopt.experiments;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;

/**
 * A learning-rate grid search that does not stop at a winning edge: an edge optimum is no optimum.
 * Every grid value is scored (lower is better; a non-finite score means the run diverged, and such a
 * point is never picked). While the best value is the smallest (largest) one evaluated, the next
 * value of the 1-3-10 ladder below (above) it is scored too, up to {@code maxExtensions} added values
 * in all. The outcome says which value won, every value scored, which ones the extension added, and
 * whether the winner is still at an edge (the limit was reached before the best came inside).
 *
 * <p>Ties go to the smaller learning rate. When no value is finite, the search keeps going down (a
 * smaller step is the cure for divergence) and the outcome has no choice ({@link Outcome#chosen} NaN).
 */
final class EdgeExtendedGrid {
    private EdgeExtendedGrid() { }

    /** What a search found. {@code scores} is sorted by learning rate; non-finite scores are stored as +∞. */
    record Outcome(double chosen, SortedMap<Double, Double> scores, List<Double> added, boolean atEdge) {
        /** Whether some value scored finite (else {@link #chosen} is NaN). */
        boolean found() { return !Double.isNaN(chosen); }

        /** Whether {@code lr} was scored because the grid was extended past an edge. */
        boolean isAdded(double lr) { return added.contains(lr); }

        /** e.g. "3e-04", "1e-01 (still at the upper edge after 2 extensions)", "none (every value diverged)". */
        String describe() {
            if (!found()) return "none (every value diverged down to " + ladder(scores.firstKey()) + ")";
            if (!atEdge) return ladder(chosen);
            return ladder(chosen) + " (still at the " + (chosen == scores.firstKey() ? "lower" : "upper") + " edge after "
                    + added.size() + " extension" + (added.size() == 1 ? "" : "s") + ")";
        }
    }

    /** The rule in words, for reports. */
    static String rule(int maxExtensions) {
        return "when the best value of a grid sits at its edge, the next value of the 1-3-10 ladder past that edge (half a decade "
                + "further) is tried too, and so on, up to " + maxExtensions + " added value" + (maxExtensions == 1 ? "" : "s")
                + " per grid, until the best lies inside; a value whose run diverged is never picked, and a choice still at an edge "
                + "after that is flagged";
    }

    /**
     * Scores {@code grid}, then extends it past a winning edge as described above.
     *
     * @param grid          the learning rates to score first (any order; at least one)
     * @param maxExtensions how many values past the edges may be added in all
     * @param score         learning rate → score, lower is better; non-finite means diverged
     */
    static Outcome search(double[] grid, int maxExtensions, DoubleUnaryOperator score) {
        if (grid.length == 0) throw new IllegalArgumentException("an empty grid");
        TreeMap<Double, Double> scores = new TreeMap<>();
        List<Double> added = new ArrayList<>();
        List<Double> todo = new ArrayList<>();
        for (double lr : grid) todo.add(lr);
        while (!todo.isEmpty()) {
            for (double lr : todo) {
                if (scores.containsKey(lr)) continue;
                double v = score.applyAsDouble(lr);
                scores.put(lr, Double.isFinite(v) ? v : Double.POSITIVE_INFINITY);
            }
            todo.clear();
            if (added.size() >= maxExtensions) break;
            double best = bestKey(scores);
            double next = Double.isNaN(best) || best == scores.firstKey() ? halfDecadeBelow(scores.firstKey())
                    : best == scores.lastKey() ? halfDecadeAbove(best) : Double.NaN;
            if (!Double.isNaN(next)) {
                todo.add(next);
                added.add(next);
            }
        }
        double best = bestKey(scores);
        boolean atEdge = !Double.isNaN(best) && (best == scores.firstKey() || best == scores.lastKey());
        return new Outcome(best, Collections.unmodifiableSortedMap(scores), List.copyOf(added), atEdge);
    }

    /** The key with the lowest finite value (ties: the smaller key); NaN if none is finite. */
    private static double bestKey(TreeMap<Double, Double> scores) {
        double best = Double.NaN, bestV = Double.POSITIVE_INFINITY;
        for (var e : scores.entrySet()) if (e.getValue() < bestV) { best = e.getKey(); bestV = e.getValue(); }
        return best;
    }

    /** 3e-3 → 1e-3 → 3e-4: the next value of the 1-3-10 ladder below {@code lr}. */
    static double halfDecadeBelow(double lr) {
        double e = Math.floor(Math.log10(lr) + 1e-9), mant = lr / Math.pow(10, e);
        return clean(mant > 2 ? Math.pow(10, e) : 3 * Math.pow(10, e - 1));
    }

    /** 1e-1 → 3e-1 → 1: the next value of the 1-3-10 ladder above {@code lr}. */
    static double halfDecadeAbove(double lr) {
        double e = Math.floor(Math.log10(lr) + 1e-9), mant = lr / Math.pow(10, e);
        return clean(mant > 2 ? Math.pow(10, e + 1) : 3 * Math.pow(10, e));
    }

    /** The double nearest the one-digit decimal: 3 × 10⁻⁴ is 3.0000000000000003E-4 in doubles, 3e-4 here. */
    private static double clean(double v) {
        return Double.parseDouble(ladder(v));
    }

    private static String ladder(double v) {
        return String.format(Locale.ROOT, "%.0e", v);
    }
}
