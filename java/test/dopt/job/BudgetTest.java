package dopt.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How a job file writes a budget: bytes with IEC or SI units, or a percentage of a reference. */
class BudgetTest {

    @Test
    void bytesTakeIecAndSiUnits() throws JobException {
        assertEquals(2L * 1024 * 1024, Budget.parse("2MiB", "f").bytes());
        assertEquals(50_000, Budget.parse("50KB", "f").bytes());
        assertEquals(1536, Budget.parse("1.5 KiB", "f").bytes());
        assertEquals(123_456, Budget.parse("123456", "f").bytes());
        assertEquals(7, Budget.parse("7B", "f").of(1000), "bytes do not depend on the reference");
    }

    @Test
    void aPercentageIsAFractionOfTheReferenceRoundedDown() throws JobException {
        Budget b = Budget.parse("25%", "f");
        assertTrue(b.isFraction());
        assertEquals(250, b.of(1000));
        assertEquals(249, b.of(999));
    }

    @Test
    void malformedBudgetsNameTheFieldAndTheForms() {
        for (String bad : new String[] {"", "2 MiBs", "-5%", "0%", "101%", "0", "abc", "1e6"}) {
            JobException e = assertThrows(JobException.class, () -> Budget.parse(bad, "optimizer.state_budget"), bad);
            assertTrue(e.getMessage().contains("optimizer.state_budget"), e.getMessage());
        }
    }
}
