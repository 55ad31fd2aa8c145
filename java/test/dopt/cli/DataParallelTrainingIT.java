package dopt.cli;

import static dopt.tensor.BitExact.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.comm.Daemon;
import dopt.io.Checkpoint;
import dopt.state.StateTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-parallel training through {@code dopt run} on real MPJ Express ranks. */
class DataParallelTrainingIT {
    @TempDir Path dir;

    private static final String ADAM = "{\"name\": \"adam\", \"lr\": 0.001}";

    @Test
    void twoMulticoreRanksTrainKeepReplicasIdenticalAndWriteEverything() throws Exception {
        Path job = Jobs.write(dir, "dp2", Jobs.mlp("dp2", ADAM, 120, 40, "\"verify_replicas\": true, \"eval_every\": 60"));
        DoptProcess.Result r = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "2", "--output", "out");
        assertEquals(0, r.exitCode(), r.output());
        Path out = dir.resolve("out");
        assertTrue(r.output().contains("test accuracy"), "summary table printed");
        assertTrue(r.output().contains("ETA"), "progress printed");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        double acc = summary.get("test_accuracy").asDouble();
        assertTrue(acc > 0.8, "an MLP trained 120 steps on real digits must beat 80% test accuracy, got " + acc);
        assertEquals("every step", summary.get("replicas_checked").asText());
        for (String f : List.of("trace.h5", "loss.png", "summary.json", "_SUCCESS", "logs/rank-0.log", "logs/rank-1.log",
                "checkpoints/ckpt-000040.h5", "checkpoints/ckpt-000080.h5", "checkpoints/ckpt-000120.h5"))
            assertTrue(Files.exists(out.resolve(f)), f + " exists");
        Checkpoint.Loaded ck = Checkpoint.read(out.resolve("checkpoints/ckpt-000120.h5"));
        assertEquals("120", ck.attributes().get("step"));
        assertArrayEquals(new long[] {120}, ck.tree().longs("train/step"));
        assertTrue(ck.tree().contains("ranks/1/rng") && ck.tree().contains("ranks/1/loader"), "every rank's RNG and loader are saved");
        assertTrue(ck.tree().contains("optim/adam/mu/fc1.weight"),
                "Adam moments are saved");
        // standard HDF5: h5py reads the per-step, per-rank trace
        DoptProcess.Result py = DoptProcess.exec(List.of("/usr/bin/python3", "-c",
                "import h5py,sys; f=h5py.File(sys.argv[1],'r'); d=f['trace/loss']; print('SHAPE', d.shape); "
                        + "print('BYTES', int(f['trace/bytes_sent'][:].sum()))",
                out.resolve("trace.h5").toString()), dir, 60);
        assertEquals(0, py.exitCode(), py.output());
        assertTrue(py.output().contains("SHAPE (120, 2)"), py.output());
        long bytes = Long.parseLong(py.output().replaceAll("(?s).*BYTES (\\d+).*", "$1").trim());
        assertTrue(bytes > 0, "gradients crossed the wire");
        DoptProcess.Result dump = DoptProcess.exec(List.of("h5dump", "-H", out.resolve("trace.h5").toString()), dir, 60);
        assertEquals(0, dump.exitCode(), dump.output());
        DoptProcess.Result inspect = DoptProcess.dopt(dir, 60, "inspect", out.resolve("checkpoints/ckpt-000120.h5").toString());
        assertEquals(0, inspect.exitCode(), inspect.output());
        assertTrue(inspect.output().contains("params/fc1.weight"), inspect.output());
    }

    @Test
    void fourMulticoreRanksTrain() throws Exception {
        Path job = Jobs.write(dir, "dp4", Jobs.mlp("dp4", "{\"name\": \"sgd\", \"lr\": 0.05, \"momentum\": 0.9}", 40, 0,
                "\"verify_replicas\": true"));
        DoptProcess.Result r = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "4", "--output", "out4");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(Files.exists(dir.resolve("out4/_SUCCESS")));
    }

    @Test
    void resumedRunReproducesTheUninterruptedRunBitForBit() throws Exception {
        Path job = Jobs.write(dir, "res", Jobs.mlp("res", ADAM, 60, 20, ""));
        DoptProcess.Result full = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "2", "--output", "full");
        assertEquals(0, full.exitCode(), full.output());
        DoptProcess.Result resumed = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "2", "--output", "resumed",
                "--resume", dir.resolve("full/checkpoints/ckpt-000040.h5").toString());
        assertEquals(0, resumed.exitCode(), resumed.output());
        assertTrue(resumed.output().contains("resuming at step 41"), resumed.output());
        StateTree a = Checkpoint.read(dir.resolve("full/checkpoints/ckpt-000060.h5")).tree();
        StateTree b = Checkpoint.read(dir.resolve("resumed/checkpoints/ckpt-000060.h5")).tree();
        int compared = 0;
        for (Map.Entry<String, StateTree.Leaf> e : a.leaves().entrySet()) {
            if (e.getKey().startsWith("trace/")) continue;
            if (e.getValue() instanceof StateTree.FloatLeaf f) {
                assertSameBits(f.data(), b.floats(e.getKey()), e.getKey());
                compared++;
            } else if (e.getValue() instanceof StateTree.LongLeaf l) {
                assertArrayEquals(l.data(), b.longs(e.getKey()), e.getKey());
            }
        }
        assertTrue(compared >= 4, "parameters and Adam moments compared");
    }

    @Test
    void compressedGradientsWithErrorFeedbackSendFewerBytesKeepReplicasAndResumeBitForBit() throws Exception {
        String comm = "\"comm\": {\"compressor\": \"topk\", \"ratio\": 0.05, \"error_feedback\": \"ef21\"}, \"verify_replicas\": true";
        Path job = Jobs.write(dir, "ef", Jobs.mlp("ef", ADAM, 60, 20, comm));
        DoptProcess.Result full = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "2", "--output", "ef-full");
        assertEquals(0, full.exitCode(), full.output());
        assertTrue(full.output().contains("gradients topk(5.0%) + ef21"), full.output());
        DoptProcess.Result resumed = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "2", "--output", "ef-resumed",
                "--resume", dir.resolve("ef-full/checkpoints/ckpt-000040.h5").toString());
        assertEquals(0, resumed.exitCode(), resumed.output());
        StateTree a = Checkpoint.read(dir.resolve("ef-full/checkpoints/ckpt-000060.h5")).tree();
        StateTree b = Checkpoint.read(dir.resolve("ef-resumed/checkpoints/ckpt-000060.h5")).tree();
        for (String leaf : List.of("params/fc1.weight", "ranks/0/ef/worker_estimate", "ranks/1/ef/worker_estimate", "ef/mean_estimate")) {
            assertSameBits(a.floats(leaf), b.floats(leaf), leaf);
        }
        // 5 % of 101 770 gradients as (index, value) pairs: about 41 KB a step instead of about 400 KB dense
        DoptProcess.Result py = DoptProcess.exec(List.of("/usr/bin/python3", "-c",
                "import h5py,sys; f=h5py.File(sys.argv[1],'r'); print('MEAN', float(f['trace/bytes_sent'][:, 0].mean()))",
                dir.resolve("ef-full/trace.h5").toString()), dir, 60);
        double perStep = Double.parseDouble(py.output().replaceAll("(?s).*MEAN ([0-9.e+]+).*", "$1"));
        assertTrue(perStep > 30_000 && perStep < 60_000, "compressed bytes per step per rank: " + perStep);
    }

    @Test
    void localAdamAveragesModelsEveryHStepsAndResumesBitForBit() throws Exception {
        String local = "\"comm\": {\"local_steps\": 5, \"average_preconditioner\": true}, \"verify_replicas\": true";
        Path job = Jobs.write(dir, "local", Jobs.mlp("local", ADAM, 60, 20, local));
        DoptProcess.Result full = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "2", "--output", "local-full");
        assertEquals(0, full.exitCode(), full.output());
        DoptProcess.Result resumed = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "2", "--output", "local-resumed",
                "--resume", dir.resolve("local-full/checkpoints/ckpt-000040.h5").toString());
        assertEquals(0, resumed.exitCode(), resumed.output());
        StateTree a = Checkpoint.read(dir.resolve("local-full/checkpoints/ckpt-000060.h5")).tree();
        StateTree b = Checkpoint.read(dir.resolve("local-resumed/checkpoints/ckpt-000060.h5")).tree();
        // each rank's Adam state is its own between averages, and is checkpointed per rank
        for (String leaf : List.of("params/fc1.weight", "ranks/0/optim/adam/mu/fc1.weight", "ranks/1/optim/adam/mu/fc1.weight")) {
            assertSameBits(a.floats(leaf), b.floats(leaf), leaf);
        }
        DoptProcess.Result py = DoptProcess.exec(List.of("/usr/bin/python3", "-c",
                "import h5py,sys; f=h5py.File(sys.argv[1],'r'); b=f['trace/bytes_sent'][:, 0]; "
                        + "print('SYNC', int((b > 0).sum()), 'OF', len(b))",
                dir.resolve("local-full/trace.h5").toString()), dir, 60);
        assertTrue(py.output().contains("SYNC 12 OF 60"), "one model average every 5 steps: " + py.output());
    }

    @Test
    void niodevRanksInSeparateProcessesTrain() throws Exception {
        Path job = Jobs.write(dir, "nio", Jobs.mlp("nio", ADAM, 30, 0, "\"verify_replicas\": true"));
        DoptProcess.Result r = DoptProcess.dopt(dir, 300, "run", job.toString(), "--np", "2", "--dev", "niodev", "--output", "nio");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("cluster configuration with niodev"), r.output());
        assertTrue(Files.exists(dir.resolve("nio/_SUCCESS")));
    }

    @Test
    void killingOneNiodevRankMakesTheOthersFailWithTheTimeoutError() throws Exception {
        Daemon.start();
        Path job = Jobs.write(dir, "kill", Jobs.mlp("kill", ADAM, 200000, 0, "\"comm\": {\"timeout_s\": 5}"));
        ProcessBuilder pb = new ProcessBuilder(DoptProcess.java(), "-Ddopt.home=" + DoptProcess.repo(), "-jar",
                DoptProcess.repo().resolve("target/dopt.jar").toString(), "run", job.toString(), "--np", "2", "--dev", "niodev",
                "--machines", DoptProcess.repo().resolve("mpi/machines.localhost").toString(), "--output", "kill")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("launcher.log").toFile());
        pb.environment().put("MPJ_HOME", DoptProcess.mpjHome().toString());
        Process launcher = pb.start();
        boolean ended;
        double waited;
        List<ProcessHandle> ranks;
        try {
            // wait until both rank processes train (their logs say so), then kill one
            Path log1 = dir.resolve("kill/logs/rank-1.log");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!(Files.exists(log1) && Files.readString(log1).contains("started")) && System.nanoTime() < deadline) Thread.sleep(200);
            Thread.sleep(2000);
            // the rank JVMs, not the starter (whose command line also names RankMain)
            ranks = ProcessHandle.allProcesses().filter(p -> {
                String c = p.info().commandLine().orElse("");
                return c.contains("RankMain") && c.contains(dir.toString()) && !c.contains("starter.jar");
            }).toList();
            assertEquals(2, ranks.size(), "two rank processes are running: " + ranks);
            long t0 = System.nanoTime();
            ranks.get(1).destroyForcibly();
            ended = launcher.waitFor(90, java.util.concurrent.TimeUnit.SECONDS);
            waited = (System.nanoTime() - t0) / 1e9;
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))
                    .forEach(ProcessHandle::destroyForcibly);
        }
        String out = Files.readString(dir.resolve("launcher.log"));
        System.out.println(out);
        assertTrue(ended, "the launcher exits once the surviving rank times out");
        assertTrue(launcher.exitValue() != 0, "a job with a dead rank fails");
        // the survivor either times out or, under niodev, sees MPJ report the connection lost
        assertTrue(out.contains("did not complete within 5.0 s") || out.contains("the connection to that rank was lost"), out);
        assertTrue(waited < 60, "bounded by the 5 s timeout, waited " + waited);
        assertFalse(Files.exists(dir.resolve("kill/_SUCCESS")));
    }

    @AfterAll
    static void stopDaemon() throws Exception { Daemon.stop(); }
}
