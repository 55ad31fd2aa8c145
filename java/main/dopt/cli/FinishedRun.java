package dopt.cli;

import dopt.io.Checkpoint;
import dopt.io.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether an output folder holds a run that has already trained as far as a job asks: rank 0's
 * success marker and a valid checkpoint at (or past) the job's last step. {@code --resume auto} of
 * such a run (a requeued SLURM job that had finished) must leave its files as they are.
 */
final class FinishedRun {
    private FinishedRun() { }

    /** A short account of the finished run ("_SUCCESS, checkpoint ckpt-000300.h5 at step 300"), or empty. */
    static Optional<String> describe(Path out, long steps) {
        if (!Files.exists(out.resolve(dopt.io.RunFolder.SUCCESS))) return Optional.empty();
        Optional<Path> latest = Checkpoint.latestValid(out.resolve("checkpoints"), "ckpt-");
        if (latest.isEmpty()) return Optional.empty();
        long step;
        try {
            step = Long.parseLong(Checkpoint.read(latest.get()).attributes().get("step").trim());
        } catch (CheckpointException | RuntimeException unreadable) {
            return Optional.empty(); // no step to compare: resume as before, which reports what is wrong
        }
        if (step < steps) return Optional.empty(); // the job now asks for more steps: continue from there
        return Optional.of(dopt.io.RunFolder.SUCCESS + " present, newest checkpoint " + latest.get().getFileName()
                + " at step " + step + " of " + steps);
    }
}
