package dopt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.job.JobFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepFolderTest {
    @TempDir Path dir;

    private Sweep sweep(String lrs) throws SweepException {
        return SweepFile.parse("{\"name\": \"f\", \"base\": {\"steps\": 5}, \"axes\": {\"optimizer.lr\": " + lrs + ", \"seed\": [1, 2]},"
                + " \"np\": 3, \"dev\": \"niodev\", \"nodes\": 1, \"ranks_per_node\": 3}", "t", null);
    }

    @Test
    void writesJobFilesIndexAndLaunchSettingsThatReadBack() throws Exception {
        Sweep s = sweep("[0.1, 0.01]");
        List<Point> points = Expansion.expand(s);
        SweepFolder f = new SweepFolder(dir.resolve("sw"));
        f.write(s, points);
        assertEquals("DOPT_DEV=niodev\nDOPT_NP=3\n", Files.readString(f.dir().resolve(SweepFolder.LAUNCH_ENV)));
        assertEquals("point,optimizer.lr,seed\np000,0.1,1\np001,0.1,2\np002,0.01,1\np003,0.01,2\n", Files.readString(f.dir().resolve(SweepFolder.INDEX_CSV)));
        for (Point p : points) {
            var job = JobFile.read(f.jobFile(p.id()));
            assertEquals(f.pointDir(p.id()).toString(), job.output, "each point writes into its own folder");
            assertEquals("f-" + p.id(), job.name);
        }
        SweepFolder.Index index = f.readIndex();
        assertEquals("f", index.name());
        assertEquals(List.of("optimizer.lr", "seed"), index.axes());
        assertEquals(3, index.np());
        assertEquals(4, index.points().size());
        assertEquals(0.01, index.points().get(3).values().get("optimizer.lr").asDouble());
        assertTrue(Files.isDirectory(f.dir().resolve("slurm")), "array task output goes to slurm/");
    }

    @Test
    void theSameExpansionAgainIsAcceptedADifferentOneRefused() throws Exception {
        SweepFolder f = new SweepFolder(dir.resolve("sw"));
        Sweep s = sweep("[0.1]");
        f.write(s, Expansion.expand(s));
        Files.writeString(f.pointDir("p000").resolve("_SUCCESS"), "{}");
        f.write(s, Expansion.expand(s));
        assertTrue(Files.exists(f.pointDir("p000").resolve("_SUCCESS")), "results survive a second submission of the same sweep");
        Sweep other = sweep("[0.2]");
        String e = assertThrows(SweepException.class, () -> f.write(other, Expansion.expand(other))).getMessage();
        assertTrue(e.contains("already holds a different sweep"), e);
    }

    @Test
    void aFolderWithoutIndexIsNotASweep() {
        String e = assertThrows(SweepException.class, () -> new SweepFolder(dir).readIndex()).getMessage();
        assertTrue(e.contains("is not a sweep folder"), e);
    }
}
