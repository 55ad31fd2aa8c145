package dopt.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.LocalCommunicator;
import dopt.job.JobFile;
import dopt.state.StateTree;
import dopt.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of format version 1 (state named by Java class; java/test-resources/dopt/io/format1,
 * whose README gives the jobs) still resume, bit for bit, or are refused naming their version
 * (FRUGAL's blocks projector, whose state means something else since format version 3).
 */
class CheckpointMigrationTest {
    @TempDir Path dir;

    private static final Path NOWHERE = Path.of("ckpt.h5");

    private Path resource(String name) throws Exception {
        Path file = dir.resolve("format1").resolve(name);
        Files.createDirectories(file.getParent());
        try (InputStream in = getClass().getResourceAsStream("format1/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    /** Resumes the step-10 checkpoint of {@code name}, runs to step 20 and compares with the step-20 one written by the old code. */
    private void resumesBitForBit(String name, String job) throws Exception {
        Path ten = resource(name + "/ckpt-000010.h5"), twenty = resource(name + "/ckpt-000020.h5");
        Path out = dir.resolve(name + "-resumed");
        Trainer t = new Trainer(JobFile.parse(job, name), new LocalCommunicator(), out, Path.of("").toAbsolutePath(),
                new PrintStream(new ByteArrayOutputStream()));
        t.resume(ten);
        assertEquals(10, t.step());
        t.run();
        StateTree old = Checkpoint.read(twenty).tree(), now = Checkpoint.read(out.resolve("checkpoints/ckpt-000020.h5")).tree();
        TreeSet<String> compared = new TreeSet<>();
        for (Map.Entry<String, StateTree.Leaf> e : old.leaves().entrySet()) {
            String path = e.getKey();
            if (path.equals("job") || path.startsWith("trace/")) continue;
            assertTrue(now.contains(path), name + ": the migrated '" + path + "' is in the new layout too");
            if (e.getValue() instanceof StateTree.FloatLeaf f) {
                int[] a = new int[f.data().length], b = new int[a.length];
                float[] mine = now.floats(path);
                for (int i = 0; i < a.length; i++) {
                    a[i] = Float.floatToRawIntBits(f.data()[i]);
                    b[i] = Float.floatToRawIntBits(mine[i]);
                }
                assertArrayEquals(a, b, name + ": " + path);
            } else if (e.getValue() instanceof StateTree.LongLeaf l) {
                assertArrayEquals(l.data(), now.longs(path), name + ": " + path);
            }
            compared.add(path);
        }
        // leaves added since (train/first_loss) start fresh; the optimizer's state must all have come from the old file
        for (String path : now.leaves().keySet())
            assertTrue(!path.startsWith("optim/") || compared.contains(path), name + ": '" + path + "' is not in the migrated checkpoint");
        assertTrue(compared.stream().anyMatch(p -> p.contains("/mu/")), name + ": moments were compared: " + compared);
    }

    @Test
    void anAdamCheckpointOfFormatOneResumesBitForBit() throws Exception {
        resumesBitForBit("adam", """
            {"name": "adam", "model": {"hidden": [8]}, "data": {"batch_size": 16}, "optimizer": {"name": "adam", "lr": 0.002,
             "weight_decay": 0.01}, "steps": 20, "seed": 3, "eval_every": 0, "checkpoint": {"every": 10, "keep": 2}}""");
    }

    @Test
    void aFrugalBlocksCheckpointOfFormatOneIsRefusedNamingItsVersion() throws Exception {
        // format 3 gives FRUGAL's blocks projector a window of round(ρ·N) coordinates: its old slots mean something else
        Path ten = resource("frugal/ckpt-000010.h5");
        String m = assertThrows(CheckpointException.class, () -> Checkpoint.read(ten)).getMessage();
        assertTrue(m.contains("format version 1") && m.contains("'optim/frugal/matrices/slot_of_block'") && m.contains("FRUGAL"), m);
    }

    @Test
    void badamStateOfFormatTwoIsRenamed() throws Exception {
        assertEquals("ranks/1/optim/badam/matrices/window/nu",
                CheckpointMigration.fromVersion2("ranks/1/optim/badam/matrices/slot/0/nu", 2, NOWHERE));
        assertEquals(null, CheckpointMigration.fromVersion2("optim/badam/matrices/slot_of_block", 2, NOWHERE), "it follows from the step");
        assertEquals("optim/adam/mu/w", CheckpointMigration.fromVersion2("optim/adam/mu/w", 2, NOWHERE));
    }

    @Test
    void versionOnePathsNameRoles() throws Exception {
        assertEquals("optim/adam/mu/fc1.weight", CheckpointMigration.fromVersion1("optim/1-ScaleByAdam/mu/fc1.weight", "adam", NOWHERE));
        assertEquals("ranks/1/optim/momentum/momentum/w",
                CheckpointMigration.fromVersion1("ranks/1/optim/2-TraceMomentum/momentum/w", "sgd", NOWHERE));
        assertEquals("optim/frugal/others/nu/fc1.bias", CheckpointMigration.fromVersion1("optim/0-BlockAdam/dense/nu/fc1.bias", "frugal", NOWHERE));
        assertEquals("optim/badam/others/count", CheckpointMigration.fromVersion1("optim/0-BlockAdam/dense/count", "badam", NOWHERE));
        assertEquals("optim/frugal/matrices/slot/0/mu", CheckpointMigration.fromVersion1("optim/0-BlockAdam/slot/0/mu", "frugal", NOWHERE));
        assertEquals("optim/galore/matrices/basis/fc1.weight",
                CheckpointMigration.fromVersion1("optim/0-ProjectedAdam/basis/fc1.weight", "galore", NOWHERE));
        assertEquals("params/fc1.weight", CheckpointMigration.fromVersion1("params/fc1.weight", "adam", NOWHERE));
    }

    @Test
    void whatCannotBeMigratedIsRefusedNamingTheVersion() {
        String unknown = assertThrows(CheckpointException.class,
                () -> CheckpointMigration.fromVersion1("optim/0-ScaleByLion/mu/w", "lion", NOWHERE)).getMessage();
        assertTrue(unknown.contains("format version 1") && unknown.contains("'ScaleByLion'"), unknown);
        String owner = assertThrows(CheckpointException.class,
                () -> CheckpointMigration.fromVersion1("optim/0-BlockAdam/step", null, NOWHERE)).getMessage();
        assertTrue(owner.contains("format version 1") && owner.contains("not recorded"), owner);
        String newer = assertThrows(CheckpointException.class,
                () -> CheckpointMigration.toCurrent(new StateTree(), Checkpoint.VERSION + 1, Map.of(), NOWHERE)).getMessage();
        assertTrue(newer.contains("format version " + (Checkpoint.VERSION + 1)), newer);
    }
}
