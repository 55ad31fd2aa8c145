package dopt.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Restoring copies into the live buffers or does nothing at all: a checkpoint leaf of another kind
 * or size is refused before any leaf is copied, and the live arrays stay the objects the optimizer holds.
 */
class StateTreeRestoreTest {

    private static StateTree live() {
        StateTree t = new StateTree();
        t.putFloats("params/w", new float[] {0.5f, 1.5f, 2.5f, 3.5f}, 2, 2);
        t.putDoubles("markov/x", new double[] {0.25, 0.75});
        t.putLongs("ranks/0/rng", 7L, 8L);
        t.putString("job", "{}");
        return t;
    }

    @Test
    void matchingLeavesAreCopiedIntoTheSameArraysAndMissingOnesAdded() {
        StateTree t = live();
        float[] w = t.floats("params/w");
        long[] rng = t.longs("ranks/0/rng");
        StateTree saved = new StateTree();
        saved.putFloats("params/w", new float[] {-1f, -2f, -3f, -4f}, 2, 2);
        saved.putLongs("ranks/0/rng", 1L, 2L);
        saved.putString("job", "{\"name\": \"x\"}");
        saved.putFloats("optim/m/w", new float[] {0.125f});
        t.restoreFrom(saved);
        assertSame(w, t.floats("params/w"));
        assertArrayEquals(new float[] {-1f, -2f, -3f, -4f}, w);
        assertSame(rng, t.longs("ranks/0/rng"));
        assertArrayEquals(new long[] {1L, 2L}, rng);
        assertEquals("{\"name\": \"x\"}", t.string("job"));
        assertArrayEquals(new float[] {0.125f}, t.floats("optim/m/w"));
    }

    @Test
    void aLeafOfAnotherKindIsRefusedInsteadOfSwappingTheLiveBuffer() {
        StateTree t = live();
        float[] w = t.floats("params/w");
        StateTree saved = new StateTree();
        saved.putDoubles("params/w", new double[] {1, 2, 3, 4}, 2, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.restoreFrom(saved));
        assertTrue(e.getMessage().contains("'params/w' is a DoubleLeaf but the job's is a FloatLeaf"), e.getMessage());
        assertSame(w, t.floats("params/w"));
        assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, w);
    }

    @Test
    void aLongVectorOfAnotherLengthIsRefusedInsteadOfSwappingTheLiveBuffer() {
        StateTree t = live();
        long[] rng = t.longs("ranks/0/rng");
        StateTree saved = new StateTree();
        saved.putLongs("ranks/0/rng", 1L, 2L, 3L);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.restoreFrom(saved));
        assertTrue(e.getMessage().contains("'ranks/0/rng' holds 3 longs but the job expects 2"), e.getMessage());
        assertSame(rng, t.longs("ranks/0/rng"));
        assertArrayEquals(new long[] {7L, 8L}, rng);
    }

    @Test
    void aMismatchAnywhereLeavesEveryLeafAsItWas() {
        StateTree t = live();
        StateTree saved = new StateTree();
        // the good leaf comes first: a restore that copies as it checks would already have changed it
        saved.putFloats("params/w", new float[] {9f, 9f, 9f, 9f}, 2, 2);
        saved.putDoubles("markov/x", new double[] {1, 2, 3});
        assertThrows(IllegalStateException.class, () -> t.restoreFrom(saved));
        assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, t.floats("params/w"));
        assertArrayEquals(new double[] {0.25, 0.75}, t.doubles("markov/x"));
    }
}
