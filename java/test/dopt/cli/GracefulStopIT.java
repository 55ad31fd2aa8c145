package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.io.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preemption: a STOP file or a SIGTERM to {@code dopt run} makes the ranks checkpoint and exit, and
 * {@code --resume auto} finishes the job (what a requeued SLURM job does).
 */
class GracefulStopIT {
    @TempDir Path dir;

    private Process start(Path job, String out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(DoptProcess.java(), "-Ddopt.home=" + DoptProcess.repo(), "-jar",
                DoptProcess.repo().resolve("target/dopt.jar").toString(), "run", job.toString(), "--np", "2", "--output", out)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(out + ".log").toFile());
        pb.environment().put("MPJ_HOME", DoptProcess.mpjHome().toString());
        return pb.start();
    }

    private void awaitTraining(Path out) throws Exception {
        Path log0 = out.resolve("logs/rank-0.log");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!(Files.exists(log0) && Files.readString(log0).contains("started")) && System.nanoTime() < deadline) Thread.sleep(100);
        Thread.sleep(1500);
    }

    private static long stoppedStep(Path out) throws Exception {
        String marker = Files.readString(out.resolve("_STOPPED"));
        return Long.parseLong(marker.replaceAll("(?s)^step (\\d+).*", "$1"));
    }

    @Test
    void aStopFileCheckpointsAndExits75ThenResumeAutoFinishesTheJob() throws Exception {
        Path job = Jobs.write(dir, "long", Jobs.mlp("long", "{\"name\": \"adam\", \"lr\": 0.001}", 100000, 0, ""));
        Process p = start(job, "stopfile");
        try {
            awaitTraining(dir.resolve("stopfile"));
            Files.writeString(dir.resolve("stopfile/STOP"), "");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run stops soon after the STOP file appears");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        System.out.println(Files.readString(dir.resolve("stopfile.log")));
        assertEquals(75, p.exitValue());
        Path out = dir.resolve("stopfile");
        long step = stoppedStep(out);
        assertTrue(step > 0 && step < 100000);
        Path ck = out.resolve(String.format("checkpoints/ckpt-%06d.h5", step));
        assertEquals(Long.toString(step), Checkpoint.read(ck).attributes().get("step"));
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
        assertTrue(Files.readString(dir.resolve("stopfile.log")).contains("--resume auto"));

        // the requeued job: same command with --resume auto and fewer remaining steps to keep the test short
        Path rest = Jobs.write(dir, "long", Jobs.mlp("long", "{\"name\": \"adam\", \"lr\": 0.001}", (int) step + 5, 0, ""));
        DoptProcess.Result r = DoptProcess.dopt(dir, 120, "run", rest.toString(), "--np", "2", "--output", "stopfile", "--resume", "auto");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("resuming at step " + (step + 1)), r.output());
    }

    @Test
    void sigtermToTheLauncherCheckpointsBeforeItExits() throws Exception {
        Path job = Jobs.write(dir, "term", Jobs.mlp("term", "{\"name\": \"sgd\", \"lr\": 0.01}", 100000, 0, ""));
        Process p = start(job, "term");
        try {
            awaitTraining(dir.resolve("term"));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(75, p.exitValue(), "a checkpointed stop exits 75 even on a signal");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        Path out = dir.resolve("term");
        String said = Files.readString(dir.resolve("term.log"));
        System.out.println(said);
        // a documented path (README: preemption) reports in words, not with a stack trace
        assertFalse(said.contains("Exception") || said.contains("\tat "), said);
        assertTrue(said.contains("--resume auto"), said);
        long step = stoppedStep(out);
        Checkpoint.read(out.resolve(String.format("checkpoints/ckpt-%06d.h5", step)));
        try (var files = Files.list(out.resolve("checkpoints"))) {
            List<Path> tmp = files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), tmp, "no half-written checkpoint is left");
        }
    }
}
