package dopt.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Names and parameters as the case files spell them: defaults from aggregation.md, and no silent typos. */
class NamedAggregationTest {
    @Test
    void everyNameBuilds() {
        for (String rule : NamedAggregation.RULES) {
            Map<String, ?> hp = rule.contains("krum") || rule.equals("trimmed_mean") ? Map.of("f", 1) : Map.of();
            assertEquals(rule, NamedAggregation.rule(rule, hp, 5, 2).name());
        }
        assertEquals("nnm", NamedAggregation.preAggregator(Map.of("name", "nnm", "f", 1), 5, 2).name());
        assertEquals("bucketing", NamedAggregation.preAggregator(Map.of("name", "bucketing", "s", 2), 5, 2).name());
        for (String attack : NamedAggregation.ATTACKS) {
            Map<String, ?> hp = attack.equals("gaussian") ? Map.of("mu", 0, "sigma", 1) : Map.of();
            assertEquals(attack, NamedAggregation.attack(attack, hp, 2).name());
        }
    }

    @Test
    void defaultsFollowTheSpec() {
        // multi_krum's default m = n − f: on 0, 1, 2, 3, 10 with f = 1 the mean of rows 1, 2, 0, 3 is 1.5
        Aggregator mk = NamedAggregation.rule("multi_krum", Map.of("f", 1), 5, 1);
        assertEquals(1.5f, Rows.aggregate(mk, Rows.column(0, 1, 2, 3, 10))[0]);
        // ipm's default eps = 0.1: −0.1 · mean(2, 4) = −0.3
        float[][] b = new float[1][1];
        NamedAggregation.attack("ipm", Map.of(), 1).forge(Rows.column(2, 4), 2, b, 1);
        assertEquals(-0.3f, b[0][0], 1e-7f);
        assertInstanceOf(AlieAttack.class, NamedAggregation.attack("alie", Map.of(), 1));
    }

    @Test
    void unknownNamesAndParametersAreErrorsThatNameThem() {
        IllegalArgumentException rule = assertThrows(IllegalArgumentException.class, () -> NamedAggregation.rule("krumm", Map.of(), 5, 1));
        assertTrue(rule.getMessage().contains("'krumm'"), rule.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> NamedAggregation.rule("geometric_median", Map.of("t", 3), 5, 1));
        assertTrue(key.getMessage().contains("'t'") && key.getMessage().contains("T, nu"), key.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> NamedAggregation.rule("krum", Map.of(), 5, 1));
        assertTrue(missing.getMessage().contains("'f'"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NamedAggregation.rule("krum", Map.of("f", 1.5), 5, 1));
        assertThrows(IllegalArgumentException.class, () -> NamedAggregation.preAggregator(Map.of("s", 2), 5, 1));
        assertThrows(IllegalArgumentException.class, () -> NamedAggregation.attack("gaussian", Map.of("mu", 0), 1));
    }
}
