package dopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @Test
    void aReportHoldsItsHeaderTablesAndPlotsAndWritesTheTableAsCsv(@TempDir Path dir) throws Exception {
        Experiment e = new Experiment() {
            @Override public String name() { return "toy"; }
            @Override public String claim() { return "x squared grows"; }
            @Override public void run(ExperimentRun run) throws Exception {
                run.report().heading("Result").table("t.csv", List.of("x", "x^2"), List.of(List.of(1, 1.0), List.of(2, 4.0)))
                        .plot("p.png", new LinePlot("x^2", "x", "y", false, true).series("sq", new double[] {1, 2}, new double[] {1, 4}), "squares");
            }
        };
        Path md = Experiments.run(e, new long[] {1, 2}, dir, true, "./dopt experiment run toy");
        String text = Files.readString(md);
        assertTrue(text.startsWith("# toy\n"), text);
        assertTrue(text.contains("- command: `./dopt experiment run toy`\n- wall time: "), text);
        assertTrue(text.matches("(?s).*- wall time: \\d+ (s|min \\d+ s).*"), text);
        assertTrue(text.contains("| x | x^2 |\n|---|---|\n| 1 | 1.000 |\n| 2 | 4.000 |"), text);
        assertTrue(text.contains("![squares](p.png)"), text);
        assertEquals("x,x^2\n1,1.000\n2,4.000\n", Files.readString(dir.resolve("t.csv")));
        assertTrue(Files.size(dir.resolve("p.png")) > 1000);
    }

    @Test
    void quantilesInterpolateAsNumpyDoes() {
        double[] v = {4, 1, 3, 2};
        assertEquals(2.5, Stats.median(v), 1e-12);
        assertEquals(3.85, Stats.quantile(v, 0.95), 1e-12);
        assertEquals(1.0, Stats.quantile(v, 0), 0);
        assertEquals(Math.sqrt(5.0 / 3), Stats.std(v), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Stats.quantile(v, 1.5));
    }

    @Test
    void formattingMarksDivergedRuns() {
        assertEquals("diverged", Report.fmt(Double.POSITIVE_INFINITY));
        assertEquals("1.235e-05", Report.fmt(1.2345e-5));
        assertEquals("0.1235", Report.fmt(0.12345));
    }

    @Test
    void unknownExperimentsAreNamedWithTheKnownOnes() {
        var ex = assertThrows(IllegalArgumentException.class, () -> Experiments.byName("nope"));
        assertTrue(ex.getMessage().contains("unknown experiment 'nope'"));
    }
}
