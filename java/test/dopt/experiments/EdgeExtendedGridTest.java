package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The edge-extended learning-rate search by hand, on scores whose minimum is known. */
class EdgeExtendedGridTest {

    private static final double[] GRID = {1e-3, 3e-3, 1e-2, 3e-2};

    /** (log10 lr − log10 best)²: a bowl in log space with its minimum at {@code best}. */
    private static DoubleUnaryOperator bowl(double best) {
        return lr -> Math.pow(Math.log10(lr) - Math.log10(best), 2);
    }

    @Test
    void aMinimumInsideTheGridIsPickedWithoutExtending() {
        List<Double> calls = new ArrayList<>();
        EdgeExtendedGrid.Outcome o = EdgeExtendedGrid.search(GRID, 2, lr -> { calls.add(lr); return bowl(3e-3).applyAsDouble(lr); });
        assertEquals(3e-3, o.chosen());
        assertFalse(o.atEdge());
        assertTrue(o.added().isEmpty());
        assertEquals(List.of(1e-3, 3e-3, 1e-2, 3e-2), calls, "each grid value scored once, nothing more");
        assertEquals(List.of(1e-3, 3e-3, 1e-2, 3e-2), new ArrayList<>(o.scores().keySet()));
        assertEquals("3e-03", o.describe());
    }

    @Test
    void aMinimumOneHalfDecadeBeyondTheUpperEdgeIsFoundAndIsInside() {
        // best at 1e-1: the grid tops out at 3e-2, so 1e-1 is added; it wins and is the new edge, so 3e-1 is added and loses
        EdgeExtendedGrid.Outcome o = EdgeExtendedGrid.search(GRID, 2, bowl(1e-1));
        assertEquals(1e-1, o.chosen());
        assertEquals(List.of(1e-1, 3e-1), o.added());
        assertFalse(o.atEdge());
        assertTrue(o.isAdded(3e-1) && !o.isAdded(3e-2));
        assertEquals(6, o.scores().size());
    }

    @Test
    void aMinimumFarBelowTheGridStaysFlaggedAtTheLowerEdgeWhenTheLimitIsReached() {
        EdgeExtendedGrid.Outcome o = EdgeExtendedGrid.search(GRID, 2, bowl(1e-5));
        assertEquals(List.of(3e-4, 1e-4), o.added(), "3e-4, then 1e-4, then the limit");
        assertEquals(1e-4, o.chosen());
        assertTrue(o.atEdge());
        assertEquals("1e-04 (still at the lower edge after 2 extensions)", o.describe());
    }

    @Test
    void aDivergingPointBeyondTheEdgeIsNeverPickedAndEndsTheExtension() {
        // improving up to the top of the grid, diverged (NaN) one half-decade above it: the top value is inside after all
        DoubleUnaryOperator f = lr -> lr > 5e-2 ? Double.NaN : -lr;
        EdgeExtendedGrid.Outcome o = EdgeExtendedGrid.search(GRID, 2, f);
        assertEquals(3e-2, o.chosen());
        assertEquals(List.of(1e-1), o.added(), "one extension: the diverged value ends the search");
        assertEquals(Double.POSITIVE_INFINITY, o.scores().get(1e-1), "non-finite is stored as +inf");
        assertFalse(o.atEdge());
    }

    @Test
    void divergedGridValuesAreNeverPickedAndAllDivergedSearchesDownwards() {
        // the two larger values blow up (+inf); of the finite ones the smaller wins and is an edge, so the grid goes down
        EdgeExtendedGrid.Outcome o = EdgeExtendedGrid.search(GRID, 1, lr -> lr >= 1e-2 ? Double.POSITIVE_INFINITY : lr);
        assertEquals(List.of(3e-4), o.added());
        assertEquals(3e-4, o.chosen());
        assertTrue(o.atEdge());

        EdgeExtendedGrid.Outcome none = EdgeExtendedGrid.search(GRID, 2, lr -> Double.NaN);
        assertFalse(none.found());
        assertTrue(Double.isNaN(none.chosen()));
        assertFalse(none.atEdge());
        assertEquals(List.of(3e-4, 1e-4), none.added());
        assertTrue(none.describe().startsWith("none"), none.describe());
    }

    @Test
    void tiesGoToTheSmallerLearningRateAndNoExtensionMeansThePlainGrid() {
        EdgeExtendedGrid.Outcome o = EdgeExtendedGrid.search(GRID, 0, lr -> 1.0);
        assertEquals(1e-3, o.chosen());
        assertTrue(o.atEdge());
        assertTrue(o.added().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> EdgeExtendedGrid.search(new double[0], 2, lr -> 0));
    }

    @Test
    void theLadderStepsAreHalfDecadesWithCleanValues() {
        assertEquals(1e-3, EdgeExtendedGrid.halfDecadeBelow(3e-3));
        assertEquals(3e-4, EdgeExtendedGrid.halfDecadeBelow(1e-3));   // 3 * 1e-4 is 3.0000000000000003E-4 in doubles
        assertEquals(0.3, EdgeExtendedGrid.halfDecadeAbove(0.1));      // 3 * 0.1 is 0.30000000000000004
        assertEquals(1.0, EdgeExtendedGrid.halfDecadeAbove(0.3));
        assertEquals(3e-2, EdgeExtendedGrid.halfDecadeAbove(1e-2));
    }
}
