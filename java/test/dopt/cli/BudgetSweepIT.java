package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.io.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget × compression sweep's quick variant on real MPJ ranks ({@code jobs/sweeps/budget-x-compression.json
 * --quick}): every point runs; the ones that finish keep their optimizer state within their state budget and send
 * gradient messages within their bytes-per-step budget; the budget no setting meets (BAdam at 50 % of AdamW's state on
 * the MLP, whose largest matrix alone is 60 % of the matrices) is refused before training and reported as unreachable;
 * the report has its trade-off section, CSV and plots.
 */
class BudgetSweepIT {
    @TempDir Path dir;

    private static RunSummary summary(Path sweep, int point) throws Exception {
        return RunSummary.read(sweep.resolve(String.format("points/p%03d/summary.json", point)));
    }

    @Test
    void everyPointFitsItsBudgetsOrIsReportedUnreachable() throws Exception {
        Path file = DoptProcess.repo().resolve("jobs/sweeps/budget-x-compression.json");
        DoptProcess.Result r = DoptProcess.dopt(dir, 900, "sweep", "run", file.toString(), "--local", "--quick", "--dir", "q");
        Path q = dir.resolve("q");
        // quick points: task (mlp, lm) x optimizer (adamw-100%, frugal-25%, frugal-state-free, galore-25%, badam-50%)
        // x comm (dense, topk-1%): index = (task * 5 + optimizer) * 2 + comm
        assertEquals(1, r.exitCode(), "the unreachable points fail the sweep: " + r.output());
        for (int task = 0; task < 2; task++) {
            RunSummary adamw = summary(q, task * 10), dense = adamw;
            long denseBytes = dense.messageBytesPerStep();
            assertEquals(4L * adamw.trainableParams(), denseBytes, "the dense message is the float32 gradient");
            for (int opt = 0; opt < 5; opt++)
                for (int comm = 0; comm < 2; comm++) {
                    int p = (task * 5 + opt) * 2 + comm;
                    Path pd = q.resolve(String.format("points/p%03d", p));
                    if (task == 0 && opt == 4) {
                        assertTrue(Files.notExists(pd.resolve("summary.json")), "p" + p);
                        assertTrue(Files.readString(pd.resolve("job.log")).contains("is below the least state badam can keep"), "p" + p);
                        continue;
                    }
                    RunSummary s = summary(q, p);
                    if (opt == 1 || opt == 3)
                        assertTrue(s.optimizerStateBytesPerRank() <= adamw.optimizerStateBytesPerRank() / 4,
                                "p" + p + " keeps " + s.optimizerStateBytesPerRank() + " of AdamW's " + adamw.optimizerStateBytesPerRank());
                    if (comm == 1) {
                        assertTrue(s.messageBytesPerStep() <= denseBytes / 100 && s.messageBytesPerStep() > denseBytes / 100 - 8,
                                "p" + p + " sends " + s.messageBytesPerStep() + " of the dense " + denseBytes);
                        assertTrue(s.budgetChoice().contains("ratio"), s.budgetChoice());
                    }
                    assertTrue(Double.isFinite(s.testLoss()), "p" + p);
                }
        }
        String report = Files.readString(q.resolve("report.md"));
        assertTrue(report.contains("## Memory budget × compression trade-off"), report);
        assertTrue(report.contains("unreachable: least"), report);
        assertTrue(report.contains("**front**"), report);
        List<String> csv = Files.readAllLines(q.resolve("tradeoff.csv"));
        assertEquals(1 + 20, csv.size(), String.join("\n", csv));
        for (String png : List.of("tradeoff-loss-vs-state-mnist-mlp.png", "tradeoff-loss-vs-message-mnist-mlp.png",
                "tradeoff-loss-vs-state-sotu-lm-1m.png", "tradeoff-loss-vs-message-sotu-lm-1m.png"))
            assertTrue(Files.size(q.resolve("plots").resolve(png)) > 1000, png);
    }
}
