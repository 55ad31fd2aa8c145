package dopt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.cli.DoptProcess;
import dopt.comm.InProcessCommunicator;
import dopt.io.Checkpoint;
import dopt.io.RunSummary;
import dopt.io.Trace;
import dopt.io.TraceData;
import dopt.job.Job;
import dopt.job.JobFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run leaves for h5py and h5dump users: numbers as numbers and text as str in the root
 * attributes of checkpoints and traces, byte counters as int64, a step index and the held-out
 * evaluations in the trace; and a checkpoint written before these were typed still resumes.
 */
class OutputsForOtherToolsTest {
    @TempDir Path dir;

    private static final Path REPO = Path.of("").toAbsolutePath();
    /** Checkpoint and trace of this job written by dopt at commit ba0e727, before attributes and counts were typed. */
    private static final Path OLD = REPO.resolve("java/test-resources/dopt/old-outputs");

    private static Job job() throws Exception {
        return JobFile.parse("""
            {"name": "old-format", "model": {"hidden": [4]}, "data": {"batch_size": 16},
             "optimizer": {"name": "adam", "lr": 0.003}, "steps": 10, "seed": 4, "eval_every": 5,
             "checkpoint": {"every": 5, "keep": 5}}""", "old-format");
    }

    private static RunSummary train(Path out, Path resume) throws Exception {
        return InProcessCommunicator.run(2, 60_000, comm ->
                new Trainer(job(), comm, out, REPO, new PrintStream(new ByteArrayOutputStream()), resume).run()).get(0);
    }

    private static JsonNode python(String script, Path file) throws Exception {
        DoptProcess.Result r = DoptProcess.exec(List.of("/usr/bin/python3", "-c", script, file.toString()), REPO, 60);
        assertEquals(0, r.exitCode(), r.output());
        return new ObjectMapper().readTree(r.output());
    }

    @Test
    void h5pyUsersSeeNumbersTextCountsStepsAndEvaluations() throws Exception {
        Path out = dir.resolve("run");
        RunSummary summary = train(out, null);
        Path ckpt = out.resolve("checkpoints/ckpt-000010.h5"), trace = out.resolve("trace.h5");
        for (Path f : List.of(ckpt, trace)) {
            DoptProcess.Result dump = DoptProcess.exec(List.of("/usr/bin/h5dump", "-H", f.toString()), REPO, 60);
            assertEquals(0, dump.exitCode(), dump.output());
        }

        JsonNode c = python(String.join("\n", "import h5py, json, sys",
                "f = h5py.File(sys.argv[1], 'r')",
                "print(json.dumps({k: type(v).__name__ for k, v in f.attrs.items()} | {'step': int(f.attrs['step'])}))"), ckpt);
        assertEquals(10, c.get("step").asInt());
        assertEquals("int64", c.get("ranks").asText(), c.toString());
        assertEquals("int64", c.get("optimizer_state_bytes").asText(), c.toString());
        for (String k : List.of("job_name", "optimizer", "format", "checksum_sha256", "created"))
            assertEquals("str", c.get(k).asText(), k + ": " + c);

        JsonNode t = python(String.join("\n", "import h5py, json, sys",
                "f = h5py.File(sys.argv[1], 'r')",
                "print(json.dumps({'attrs': {k: type(v).__name__ for k, v in f.attrs.items()},",
                "  'dtypes': {k: str(d.dtype) for k, d in f['trace'].items()},",
                "  'units': type(f['trace/loss'].attrs['units']).__name__,",
                "  'step': f['step'][()].tolist(), 'bytes': int(f['trace/bytes_sent'][()].sum()),",
                "  'eval_step': f['eval/step'][()].tolist(), 'eval_loss': f['eval/loss'][()].tolist(),",
                "  'eval_accuracy': f['eval/accuracy'][()].tolist()}))"), trace);
        assertEquals("int64", t.get("attrs").get("ranks").asText(), t.toString());
        assertEquals("str", t.get("attrs").get("job_name").asText(), t.toString());
        assertEquals("str", t.get("attrs").get("job").asText(), t.toString());
        assertEquals("str", t.get("units").asText());
        for (String k : List.of("bytes_sent", "bytes_received", "rejected_messages"))
            assertEquals("int64", t.get("dtypes").get(k).asText(), k + ": " + t);
        for (String k : List.of("loss", "global_loss", "lr", "compute_ms"))
            assertEquals("float32", t.get("dtypes").get(k).asText(), k + ": " + t);
        assertEquals("[1,2,3,4,5,6,7,8,9,10]", t.get("step").toString());
        assertTrue(t.get("bytes").asLong() > 0, "gradients crossed between the two ranks");
        assertEquals("[5,10]", t.get("eval_step").toString(), "eval_every 5, and the final evaluation");
        assertEquals(summary.testLoss(), t.get("eval_loss").get(1).asDouble(), "the last evaluation is the summary's test loss");
        assertEquals(summary.testAccuracy(), t.get("eval_accuracy").get(1).asDouble());
    }

    @Test
    void aCheckpointWrittenBeforeTheTypesChangedStillResumes() throws Exception {
        Checkpoint.Loaded old = Checkpoint.read(OLD.resolve("ckpt-000005.h5"));
        assertEquals("5", old.values().get("step"), "the fixture is of the old kind: text attributes");
        float[] oldBytes = old.tree().floats("trace/bytes_sent"); // [step][rank] flat, float32

        Path out = dir.resolve("resumed");
        RunSummary s = train(out, OLD.resolve("ckpt-000005.h5"));
        assertEquals(5, s.stepsRun());
        TraceData t = Trace.read(out.resolve("trace.h5"));
        long[][] bytes = t.counts("bytes_sent");
        assertEquals(10, bytes.length);
        for (int step = 0; step < 5; step++)
            for (int r = 0; r < 2; r++)
                assertEquals((long) oldBytes[step * 2 + r], bytes[step][r], "step " + (step + 1) + " rank " + r + " from the old checkpoint");
        for (int step = 5; step < 10; step++) assertTrue(bytes[step][0] > 0, "step " + (step + 1) + " counted after the resume");
        assertArrayEquals(new long[] {10}, t.evaluations().steps(), "the old checkpoint holds no evaluations; the final one is new");
        assertEquals(10L, Checkpoint.read(out.resolve("checkpoints/ckpt-000010.h5")).values().get("step"), "written typed");
    }
}
