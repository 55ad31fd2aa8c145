package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume auto} of a run that has finished (a requeued SLURM job whose first attempt
 * completed): it says so and leaves every file as it is, unless the job now asks for more steps.
 */
class FinishedRunIT {
    @TempDir Path dir;

    /**
     * Every file under {@code out}: its bytes and modification time, by relative path; not the lock
     * file, which every dopt run on the folder takes and releases (OutputFolder).
     */
    private static Map<String, String> snapshot(Path out) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(out)) {
            for (Path f : all.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(OutputFolder.LOCK)).toList())
                files.put(out.relativize(f).toString(), Files.getLastModifiedTime(f).toMillis() + " "
                        + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
        }
        return files;
    }

    @Test
    void resumeAutoOfAFinishedRunSaysItIsCompleteAndChangesNothingThenContinuesWhenStepsGrow() throws Exception {
        String adam = "{\"name\": \"adam\", \"lr\": 0.001}";
        Path job = Jobs.write(dir, "done", Jobs.mlp("done", adam, 10, 5, ""));
        DoptProcess.Result first = DoptProcess.dopt(dir, 120, "run", job.toString(), "--np", "2", "--output", "done");
        assertEquals(0, first.exitCode(), first.output());
        Path out = dir.resolve("done");
        Map<String, String> before = snapshot(out);
        assertTrue(before.containsKey("_SUCCESS") && before.containsKey("summary.json"), before.toString());

        DoptProcess.Result again = DoptProcess.dopt(dir, 120, "run", job.toString(), "--np", "2", "--output", "done", "--resume", "auto");
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.output().contains("already complete"), again.output());
        assertEquals(before, snapshot(out), "a finished run's files are left as they are");

        Path longer = Jobs.write(dir, "done", Jobs.mlp("done", adam, 15, 5, ""));
        DoptProcess.Result more = DoptProcess.dopt(dir, 120, "run", longer.toString(), "--np", "2", "--output", "done", "--resume", "auto");
        assertEquals(0, more.exitCode(), more.output());
        assertTrue(more.output().contains("resuming at step 11"), more.output());
        assertTrue(Files.exists(out.resolve("checkpoints/ckpt-000015.h5")));
    }
}
