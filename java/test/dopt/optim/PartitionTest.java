package dopt.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rule per label, each seeing only its parameters, its state under its label. */
class PartitionTest {

    private static List<Param> params() {
        return List.of(new Param("w", Param.Role.MATRIX, 2, 3), new Param("b", Param.Role.BIAS, 3),
                new Param("e", Param.Role.EMBEDDING, 4, 2));
    }

    @Test
    void eachGroupGetsItsOwnRuleAndStateUnderItsLabel() {
        List<Param> ps = params();
        GradientTransformation p = Partition.matricesAndOthers("split", new ScaleBySign(), new ScaleByAdam(0.9, 0.999, 1e-8));
        StateTree st = new StateTree();
        p.init(ps, st, "optim");
        for (Param q : ps) java.util.Arrays.fill(q.grad(), -0.25f);
        p.update(ps, 1);
        assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1}, ps.get(0).grad(), "the matrix: sign");
        // Adam's first step is g/|g| up to ε: −1 as well, but through the moments, which only the others have
        assertEquals(-1f, ps.get(1).grad()[0], 1e-6f);
        assertEquals(0.0625f * 0.001f, st.floats("optim/others/nu/b")[0], 1e-9f);
        assertEquals(0.0625f * 0.001f, st.floats("optim/others/nu/e")[7], 1e-9f);
        assertEquals(false, st.contains("optim/others/nu/w"));
        assertEquals(1L, st.longs("optim/others/count")[0]);
        assertEquals(2, p.preconditionerState().size(), "the second moments of b and e");
    }

    @Test
    void frugalIsItsMatrixRuleOnTheMatricesAndPlainAdamOnTheRest() {
        // the bias and the embedding under FRUGAL follow exactly the steps Adam alone gives them
        List<Param> withFrugal = params(), withAdam = params();
        Optimizer f = NamedOptimizers.optimizer("frugal", Map.of("projector", "blocks", "rho", 0.0, "lr", 0.01), withFrugal);
        Optimizer a = NamedOptimizers.optimizer("adam", Map.of("lr", 0.01), withAdam);
        for (int s = 1; s <= 5; s++) {
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < withFrugal.get(i).size(); j++)
                    withFrugal.get(i).grad()[j] = withAdam.get(i).grad()[j] = (float) Math.sin(s * 7 + i * 3 + j);
            f.step(s);
            a.step(s);
        }
        assertArrayEquals(withAdam.get(1).value(), withFrugal.get(1).value());
        assertArrayEquals(withAdam.get(2).value(), withFrugal.get(2).value());
        assertTrue(Math.abs(withAdam.get(0).value()[0] - withFrugal.get(0).value()[0]) > 1e-4, "ρ = 0: the matrix takes sign steps");
    }

    @Test
    void aLabelWithoutARuleIsRefusedNamingTheParameter() {
        Map<String, GradientTransformation> rules = new LinkedHashMap<>();
        rules.put("matrices", new ScaleBySign());
        Partition p = new Partition("split", q -> q.role() == Param.Role.MATRIX ? "matrices" : "rest", rules);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.init(params(), new StateTree(), "optim"));
        assertTrue(e.getMessage().contains("b[3] BIAS") && e.getMessage().contains("'rest'"), e.getMessage());
    }
}
