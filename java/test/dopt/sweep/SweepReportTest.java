package dopt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.io.Trace;
import dopt.io.TraceData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report over point folders written here the way dopt run and the job script write them
 * (summary.json, trace.h5 through {@link Trace}, markers, exit_code, job.log); real runs are in
 * the integration tests.
 */
class SweepReportTest {
    @TempDir Path dir;

    private SweepFolder folder() throws Exception {
        Sweep s = SweepFile.parse("{\"name\": \"r\", \"base\": {\"steps\": 4}, \"axes\": {\"optimizer.lr\": [0.001, 0.01, 0.1, 1, 10], "
                + "\"seed\": [1]}, \"output\": \"" + dir.resolve("sw") + "\"}", "t", null);
        SweepFolder f = new SweepFolder(s.folder());
        f.write(s, Expansion.expand(s));
        return f;
    }

    private static void finished(Path p, double loss, String acc, double bytesPerStep) throws Exception {
        finished(p, loss, acc, bytesPerStep, "allreduce", 88);
    }

    private static void finished(Path p, double loss, String acc, double bytesPerStep, String exchange, long stateBytes) throws Exception {
        double accuracy = acc.startsWith("n/a") ? Double.NaN : Double.parseDouble(acc.replace("%", "").trim()) / 100;
        Files.writeString(p.resolve("summary.json"), new dopt.io.RunSummary("r", 2, "adam", exchange, 10, 10, null, 4, 4, 0.1,
                loss, 0.75, accuracy, Double.NaN, Double.NaN, 40.0, 1024, 1024, stateBytes, 0, -1, null, "at the end", "c.h5", 1, "trace.h5", "loss.png").toJson());
        trace(p, 4, (float) loss, (long) bytesPerStep);
        Files.writeString(p.resolve("_SUCCESS"), "{}");
        Files.writeString(p.resolve(SweepFolder.EXIT_CODE), "0\n");
    }

    private static void trace(Path p, int steps, float lastLoss, long bytesPerStep) throws Exception {
        Map<String, TraceData.Metric> m = new LinkedHashMap<>();
        float[][] loss = new float[steps][2], compute = new float[steps][2], comm = new float[steps][2];
        long[][] bytes = new long[steps][2];
        long[] index = new long[steps];
        for (int s = 0; s < steps; s++) {
            index[s] = s + 1;
            loss[s][0] = loss[s][1] = lastLoss + (steps - 1 - s);
            bytes[s][0] = bytes[s][1] = bytesPerStep;
            compute[s][0] = compute[s][1] = 10;
            comm[s][0] = comm[s][1] = 5;
        }
        m.put("global_loss", new TraceData.Floats(loss, ""));
        m.put("bytes_sent", new TraceData.Counts(bytes, ""));
        m.put("compute_ms", new TraceData.Floats(compute, ""));
        m.put("comm_ms", new TraceData.Floats(comm, ""));
        Trace.write(p.resolve("trace.h5"), new TraceData(index, m, TraceData.Evaluations.NONE), Map.of("job_name", "r"));
    }

    @Test
    void everyPointIsARowWithItsStatusAndTheFailedAreExplained() throws Exception {
        SweepFolder f = folder();
        finished(f.pointDir("p000"), 0.5, "91.20 %", 1000);
        finished(f.pointDir("p001"), 0.25, "95.00 %", 2000, "topk + ef21", 3L << 20);
        Path failed = f.pointDir("p002");
        trace(failed, 2, 3f, 1000);
        Files.writeString(failed.resolve(SweepFolder.EXIT_CODE), "1\n");
        Files.writeString(failed.resolve(SweepFolder.JOB_LOG), "dopt: job starts\ndopt rank 0: error: non-finite loss (NaN) at step 3\n"
                + "dopt: job 'r' failed: rank 0 wrote no success marker\n");
        Path stopped = f.pointDir("p003");
        Files.writeString(stopped.resolve("_STOPPED"), "step 2\ncheckpoint x\n");
        Files.writeString(stopped.resolve(SweepFolder.EXIT_CODE), "75\n");
        // p004 never ran

        SweepReport r = SweepReport.collect(f.dir());
        assertEquals("5 points: 2 ok, 1 stopped, 1 failed, 1 missing", r.tally());
        Path md = r.write();

        List<String> csv = Files.readAllLines(f.dir().resolve("report.csv"));
        assertEquals("point,optimizer.lr,seed,status,exchange,final_train_loss,test_loss,test_accuracy_pct,steps_per_s,ms_per_step,"
                + "compute_ms,comm_ms,bytes_sent,optimizer_state_bytes,note", csv.get(0));
        assertEquals(6, csv.size());
        assertEquals("p000,0.001,1,ok,allreduce,0.500000,0.750000,91.2000,40.0000,25.0000,10.0000,5.00000,8000,88,", csv.get(1));
        assertTrue(csv.get(2).startsWith("p001,0.01,1,ok,topk + ef21,0.250000,"), csv.get(2));
        assertTrue(csv.get(2).contains(",16000,3145728,"), "bytes sent = sum over steps and ranks, then the state: " + csv.get(2));
        assertTrue(csv.get(3).startsWith("p002,0.1,1,failed,,,,,,,10.0000,5.00000,4000,,"), csv.get(3));
        assertTrue(csv.get(3).contains("exit 1: dopt rank 0: error: non-finite loss (NaN) at step 3"), "the first error line is the cause: " + csv.get(3));
        assertTrue(csv.get(4).startsWith("p003,1,1,stopped,"), csv.get(4));
        assertTrue(csv.get(5).startsWith("p004,10,1,missing,"), csv.get(5));

        String text = Files.readString(md);
        assertTrue(text.contains("| p000 | 0.001 | 1 | ok | allreduce | 0.5000 | 0.7500 | 91.20 % | 40.0 | 25.00 | 7.81 KiB | 88 B |"), text);
        assertTrue(text.contains("| p001 | 0.01 | 1 | ok | topk + ef21 | 0.2500 |") && text.contains("| 15.63 KiB | 3.00 MiB |"), text);
        assertTrue(text.contains("| p002 | 0.1 | 1 | **failed** | — | — |"), text);
        assertTrue(text.contains("optimizer state |"), text);
        assertTrue(text.contains("- p002 (optimizer.lr=0.1, seed=1): **failed** — exit 1: dopt rank 0: error: non-finite loss"), text);
        assertTrue(text.contains("- p004 (optimizer.lr=10, seed=1): **missing**"), text);
        assertTrue(text.contains("- p003 (optimizer.lr=1, seed=1): **stopped**"), text);

        for (String png : List.of("loss-vs-optimizer.lr.png", "loss-vs-bytes.png", "loss-vs-optimizer-state.png", "time-per-step.png",
                "loss-curves.png")) {
            Path p = f.dir().resolve("plots").resolve(png);
            assertTrue(text.contains("plots/" + png), png + " is linked from report.md");
            BufferedImage img = ImageIO.read(p.toFile());
            assertNotNull(img, png + " is a PNG");
            assertEquals(900, img.getWidth());
        }
        assertTrue(Files.notExists(f.dir().resolve("plots/loss-vs-seed.png")), "an axis with a single value gets no plot");
    }

    @Test
    void byteAxesAreLabelledInBinaryUnitsAndCommunicationByEachPointsExchange() throws Exception {
        SweepFolder f = folder();
        finished(f.pointDir("p000"), 0.5, "91.20 %", 1000);
        finished(f.pointDir("p001"), 0.25, "95.00 %", 2000, "topk + ef21", 3L << 20);
        List<PointOutcome> ok = SweepReport.collect(f.dir()).outcomes().subList(0, 2);

        // bytes sent: 8000 and 16000 (KiB); optimizer state: 88 B and 3 MiB (MiB)
        var sent = ReportPlots.lossVsBytes(ok, "");
        var state = ReportPlots.lossVsOptimizerState(ok, "");
        assertEquals("12.5 KiB", sent.getStyler().getxAxisTickLabelsFormattingFunction().apply(12.5));
        assertEquals("bytes sent by all ranks (KiB)", sent.getXAxisTitle());
        assertEquals("1.5 MiB", state.getStyler().getxAxisTickLabelsFormattingFunction().apply(1.5));
        assertEquals("0 MiB", state.getStyler().getxAxisTickLabelsFormattingFunction().apply(0.0));
        assertEquals(List.of(88.0 / (1 << 20), 3.0), state.getSeriesMap().values().stream().map(s -> s.getXData()[0]).toList(),
                "x is each point's optimizer state, in MiB");
        assertEquals("B", ReportPlots.ByteUnit.of(1023).name());
        assertEquals("GiB", ReportPlots.ByteUnit.of(5.0 * (1L << 30)).name());

        var time = ReportPlots.timePerStep(ok, "");
        assertEquals(Set.of("forward + backward", "communication", "rest (optimizer, data, checkpoints)"), time.getSeriesMap().keySet());
        assertEquals(List.of("p000 (allreduce)", "p001 (topk + ef21)"), time.getSeriesMap().get("communication").getXData());
        assertTrue(ReportPlots.timePerStep(ok.subList(0, 1), "").getSeriesMap().containsKey("communication (allreduce)"),
                "one exchange for all points names the series");
    }

    @Test
    void aPointThatStartedAndLeftNoExitCodeIsIncomplete() throws Exception {
        SweepFolder f = folder();
        Files.writeString(f.pointDir("p000").resolve(SweepFolder.JOB_LOG), "dopt: tiny on 2 rank(s)\n");
        PointOutcome o = SweepReport.collect(f.dir()).outcomes().get(0);
        assertEquals(PointOutcome.Status.INCOMPLETE, o.status());
        assertTrue(o.note().contains("still running, or killed"), o.note());
    }
}
