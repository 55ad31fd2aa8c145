package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.io.RunSummary;
import dopt.io.Trace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dopt sweep run --local} on real MPJ ranks: every point is a real {@code dopt run}; a point
 * whose learning rate makes the loss overflow fails, one that never ran is missing, and both are
 * rows of the report that say so.
 */
class SweepLocalIT {
    @TempDir Path dir;

    @Test
    void aLocalSweepReportsFinishedFailedAndMissingPointsThenFinishesTheRest() throws Exception {
        // SGD with lr 1e30 overflows the weights at the first update: a NaN loss at step 2, every time
        Files.writeString(dir.resolve("sweep.json"), """
                {"name": "local", "base": {"model": {"type": "mlp", "hidden": [32]}, "data": {"dataset": "mnist-embedded", "batch_size": 32},
                   "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}, "steps": 30, "seed": 3, "eval_every": 0,
                   "checkpoint": {"every": 10, "keep": 2}},
                 "axes": {"optimizer.lr": [0.05, 1e30, 0.1]}, "np": 2, "dev": "multicore"}
                """);
        DoptProcess.Result first = DoptProcess.dopt(dir, 300, "sweep", "run", "sweep.json", "--local", "--dir", "sw", "--only", "0,1");
        assertEquals(1, first.exitCode(), "a sweep with a failed point exits 1: " + first.output());
        assertTrue(first.output().contains("p001 failed"), first.output());
        List<String> csv = Files.readAllLines(dir.resolve("sw/report.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("p000,0.05,ok,allreduce,"), csv.get(1));
        long state = RunSummary.read(dir.resolve("sw/points/p000/summary.json")).optimizerStateBytesPerRank();
        assertTrue(state > 0, "SGD with momentum keeps a velocity");
        assertTrue(csv.get(1).contains("," + state + ","), "optimizer_state_bytes of the point, from its summary.json: " + csv.get(1));
        assertTrue(csv.get(2).startsWith("p001,1.0E30,failed,") && csv.get(2).contains("non-finite loss"), csv.get(2));
        assertTrue(csv.get(3).startsWith("p002,0.1,missing,"), csv.get(3));
        float[][] loss = Trace.read(dir.resolve("sw/points/p000/trace.h5")).floats("loss");
        assertEquals(30, loss.length);
        assertEquals(2, loss[0].length);
        assertEquals("1", Files.readString(dir.resolve("sw/points/p001/exit_code")).trim());

        // the same sweep again: the finished point is kept, the missing one runs
        DoptProcess.Result second = DoptProcess.dopt(dir, 300, "sweep", "run", "sweep.json", "--local", "--dir", "sw", "--only", "0,2");
        assertTrue(second.output().contains("p000 [1/2] optimizer.lr=0.05: already finished"), second.output());
        assertTrue(second.output().contains("p002 ok"), second.output());
        DoptProcess.Result report = DoptProcess.dopt(dir, 120, "sweep", "report", "sw");
        assertEquals(0, report.exitCode(), report.output());
        assertTrue(report.output().contains("3 points: 2 ok, 1 failed"), report.output());
        assertTrue(report.output().contains("- p001 (optimizer.lr=1.0E30): **failed**"), report.output());
        assertTrue(report.output().contains("| exchange |") && report.output().contains("| optimizer state |"), report.output());
        for (String png : List.of("loss-vs-optimizer.lr.png", "loss-vs-bytes.png", "loss-vs-optimizer-state.png", "time-per-step.png",
                "loss-curves.png"))
            assertTrue(Files.size(dir.resolve("sw/plots").resolve(png)) > 1000, png);
    }

    @Test
    void anUnknownAxisIsRefusedBeforeAnythingRuns() throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{\"name\": \"bad\", \"base\": \"jobs/demo.json\", \"axes\": {\"optimizer.rate\": [1]}}");
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "sweep", "run", "bad.json", "--local");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("axis 'optimizer.rate' is not a job field: 'optimizer' has"), r.output());
        assertTrue(Files.notExists(dir.resolve("runs")), "nothing was written");
    }
}
