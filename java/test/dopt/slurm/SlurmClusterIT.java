package dopt.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dopt.cli.DoptProcess;
import dopt.io.Trace;
import dopt.io.TraceData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real SLURM on this machine (Debian slurm-wlm + munge, started by slurm/local-cluster.sh): a
 * 2-task niodev job through slurm/dopt-job.sbatch, a 3-point job-array sweep through
 * {@code dopt sweep submit}, and a requeue in the middle of a run, which must resume from its
 * checkpoint. Skipped only when the daemons cannot start here (the script's exit code 3, with its
 * reason); any other failure of the cluster fails the test.
 */
class SlurmClusterIT {
    /** Its own folder and ports, so a cluster a developer started by hand (.deps/slurm) is left alone. */
    private static final Path CLUSTER = DoptProcess.repo().resolve("target/slurm-it");
    private static final Map<String, String> ENV = new HashMap<>();
    private static boolean started;

    @TempDir Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        ENV.put("DOPT_SLURM_DIR", CLUSTER.toString());
        ENV.put("DOPT_SLURMCTLD_PORT", "16827");
        ENV.put("DOPT_SLURMD_PORT", "16828");
        ENV.put("SLURM_CONF", CLUSTER.resolve("slurm.conf").toString());
        ENV.put("DOPT_HOME", DoptProcess.repo().toString());
        Result r = run(DoptProcess.repo(), 150, "bash", "slurm/local-cluster.sh", "start");
        if (r.code == 3) Assumptions.abort("the local SLURM cluster cannot run on this machine: " + r.out.trim());
        assertEquals(0, r.code, "slurm/local-cluster.sh start: " + r.out);
        started = true;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (!started) return;
        Result r = run(DoptProcess.repo(), 120, "bash", "slurm/local-cluster.sh", "stop");
        assertEquals(0, r.code, "slurm/local-cluster.sh stop: " + r.out);
        assertEquals(1, run(DoptProcess.repo(), 60, "bash", "slurm/local-cluster.sh", "status").code, "the cluster is gone after stop");
    }

    private static String tinyJob(String name, int steps, int every) {
        return """
                {"name": "%s", "model": {"type": "mlp", "hidden": [32]},
                 "data": {"dataset": "mnist-embedded", "sharding": "iid", "batch_size": 32},
                 "optimizer": {"name": "adam", "lr": 0.003}, "steps": %d, "seed": 2, "eval_every": 0,
                 "checkpoint": {"every": %d, "keep": 2}}
                """.formatted(name, steps, every);
    }

    @Test
    void aTwoTaskJobAndAThreePointArraySweepRunAndReport() throws Exception {
        Files.writeString(dir.resolve("tiny.json"), tinyJob("tiny", 30, 10));
        String job = sbatch(dir, "--ntasks=2", "--output=" + dir.resolve("slurm-%j.out"), script("dopt-job.sbatch"), "tiny.json");

        Files.writeString(dir.resolve("sweep.json"), """
                {"name": "it-sweep", "base": %s, "axes": {"optimizer.lr": [0.001, 0.003, 0.01]}, "np": 2, "dev": "multicore"}
                """.formatted(tinyJob("base", 30, 0)));
        Result submit = run(dir, 120, DoptProcess.java(), "-Ddopt.home=" + DoptProcess.repo(), "-jar",
                DoptProcess.repo().resolve("target/dopt.jar").toString(), "sweep", "submit", "sweep.json", "--dir", "sweep");
        assertEquals(0, submit.code, submit.out);
        Matcher m = Pattern.compile("submitted array job (\\d+) with 3 task").matcher(submit.out);
        assertTrue(m.find(), submit.out);
        String array = m.group(1);

        awaitGone(List.of(job, array), 300);

        // the 2-task job: niodev ranks under MPJ daemons that srun started, in runs/slurm-<id>
        String state = run(dir, 30, "scontrol", "show", "job", job).out;
        Path out = dir.resolve("runs/slurm-" + job);
        String log = Files.readString(out.resolve("job.log"));
        assertTrue(state.contains("JobState=COMPLETED") && state.contains("ExitCode=0:0"), state + log);
        assertTrue(Files.exists(out.resolve("_SUCCESS")), log);
        assertEquals("0", Files.readString(out.resolve("exit_code")).trim());
        assertTrue(log.contains("cluster configuration with niodev") && log.contains("MPJ daemons listen on port"), log);
        assertTrue(log.contains("--resume auto") && log.contains("2 ranks (niodev, 2 per node"), log);
        assertEquals(List.of(hostname()), Files.readAllLines(out.resolve("machines")), "machines file from the allocation");
        assertTrue(Files.exists(out.resolve("mpj-daemon-" + hostname() + ".log")), "the daemon step's log");
        // the daemon step ends cleanly: srun forwards SIGUSR1 and the daemon exits 0 (SIGTERM made srun kill it)
        String slurmOut = Files.readString(dir.resolve("slurm-" + job + ".out"));
        assertFalse(slurmOut.contains("srun: error") || slurmOut.contains("Killed"), slurmOut);
        assertTrue(Files.readString(out.resolve("mpj-daemon-" + hostname() + ".log")).contains("stopped"), slurmOut);
        int daemonPort = 20000 + (int) (Long.parseLong(job) % 4000) * 3 + 1;
        assertFalse(listening(daemonPort), "the job's MPJ daemon (port " + daemonPort + ") stopped with the job");
        TraceData trace = Trace.read(out.resolve("trace.h5"));
        assertEquals(30, trace.floats("loss").length);
        assertEquals(2, trace.floats("loss")[0].length);
        assertTrue(trace.counts("bytes_sent")[29][1] > 0, "gradients crossed the wire");
        Result dump = run(dir, 60, "h5dump", "-H", out.resolve("trace.h5").toString());
        assertEquals(0, dump.code, dump.out);
        assertTrue(dump.out.contains("DATASET \"global_loss\"") && dump.out.contains("( 30, 2 )"), dump.out);

        // the array: one task per point, each point's folder complete
        String arrayState = run(dir, 30, "scontrol", "show", "job", array).out;
        assertEquals(3, count(arrayState, "JobState=COMPLETED"), arrayState);
        for (String p : List.of("p000", "p001", "p002")) {
            Path pd = dir.resolve("sweep/points").resolve(p);
            assertTrue(Files.exists(pd.resolve("_SUCCESS")), p + ": " + readIfExists(pd.resolve("job.log")));
            assertEquals(30, Trace.read(pd.resolve("trace.h5")).floats("global_loss").length, p);
            assertTrue(Files.readString(pd.resolve("job.log")).contains("(array task " + p.substring(1).replaceFirst("^0+(?=.)", "")), p);
        }
        Result report = run(dir, 120, DoptProcess.java(), "-Ddopt.home=" + DoptProcess.repo(), "-jar",
                DoptProcess.repo().resolve("target/dopt.jar").toString(), "sweep", "report", "sweep");
        assertEquals(0, report.code, report.out);
        List<String> csv = Files.readAllLines(dir.resolve("sweep/report.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv));
        for (int i = 1; i <= 3; i++) assertTrue(csv.get(i).contains(",ok,"), csv.get(i));
        assertTrue(report.out.contains("3 points: 3 ok"), report.out);
        assertTrue(Files.size(dir.resolve("sweep/plots/loss-vs-optimizer.lr.png")) > 1000);
    }

    @Test
    void aRequeuedJobCheckpointsOnSigtermAndResumes() throws Exception {
        // long enough to be interrupted in the middle (about 10 s here), short enough to finish after the requeue
        Files.writeString(dir.resolve("long.json"), tinyJob("long", 8000, 0));
        String job = sbatch(dir, "--ntasks=2", "--output=" + dir.resolve("slurm-%j.out"), "--export=ALL,DOPT_DEV=multicore",
                script("dopt-job.sbatch"), "long.json");
        Path out = dir.resolve("runs/slurm-" + job);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!readIfExists(out.resolve("job.log")).contains("long on 2 rank(s)")) {
            if (System.nanoTime() > deadline) fail("the job did not start training within 120 s: " + readIfExists(out.resolve("job.log")));
            Thread.sleep(200);
        }
        Thread.sleep(1000);
        // what SLURM does to a preempted job with PreemptMode=REQUEUE: SIGTERM to every process, then back to the queue
        Result requeue = run(dir, 30, "scontrol", "requeue", job);
        assertEquals(0, requeue.code, requeue.out);
        awaitGone(List.of(job), 240);

        String state = run(dir, 30, "scontrol", "show", "job", job).out;
        String log = Files.readString(out.resolve("job.log"));
        assertTrue(state.contains("JobState=COMPLETED") && state.contains("Restarts=1"), state + log);
        assertTrue(log.contains("SIGTERM: the ranks checkpoint after the current step and stop"), log);
        Matcher stopped = Pattern.compile("stopped after step (\\d+)").matcher(log);
        assertTrue(stopped.find(), log);
        long step = Long.parseLong(stopped.group(1));
        assertTrue(step < 8000, log);
        assertTrue(log.contains("start 2,") && log.contains("(resuming at step " + (step + 1) + ")"), log);
        assertTrue(Files.exists(out.resolve("_SUCCESS")), log);
        assertEquals(8000, Trace.read(out.resolve("trace.h5")).floats("loss").length, "the trace spans both runs");
    }

    // ---- helpers

    private static String script(String name) { return DoptProcess.repo().resolve("slurm").resolve(name).toString(); }

    private static String sbatch(Path wd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
        cmd.addAll(List.of(args));
        Result r = run(wd, 60, cmd.toArray(String[]::new));
        assertEquals(0, r.code, r.out);
        String id = r.out.trim().split(";")[0];
        assertTrue(id.matches("\\d+"), r.out);
        return id;
    }

    /** Polls squeue until none of {@code ids} (jobs or arrays) is pending or running. */
    private static void awaitGone(List<String> ids, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < deadline) {
            Result q = run(DoptProcess.repo(), 30, "squeue", "-h", "-j", String.join(",", ids), "-o", "%i %T %R");
            last = q.out.trim();
            if (q.code == 0 && last.isEmpty()) return;
            Thread.sleep(1000);
        }
        fail("jobs " + ids + " still queued or running after " + seconds + " s: " + last + "\n"
                + run(DoptProcess.repo(), 30, "scontrol", "show", "job").out);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String hostname() throws Exception { return run(DoptProcess.repo(), 10, "hostname", "-s").out.trim(); }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    private static String readIfExists(Path f) throws IOException { return Files.exists(f) ? Files.readString(f) : ""; }

    private record Result(int code, String out) { }

    private static Result run(Path wd, long timeoutSeconds, String... cmd) throws Exception {
        DoptProcess.Result r = DoptProcess.exec(List.of(cmd), wd, timeoutSeconds, ENV);
        return new Result(r.exitCode(), r.output());
    }
}
