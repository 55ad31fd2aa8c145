package dopt.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Submits a written sweep as one SLURM job array: task i runs point i through
 * {@code slurm/sweep-array.sbatch}, which hands it to {@code slurm/dopt-job.sbatch}.
 *
 * <p>Resources per task follow the sweep: multicore points ask for one node and {@code np} tasks
 * (CPUs for the rank threads); niodev points for {@code nodes} nodes of {@code ranks_per_node}
 * tasks. Array tasks may share a node, niodev ones too: every niodev job runs MPJ on ports of its
 * own (the job script's private MPJ_HOME), so no throttle is needed for MPJ's sake.
 */
public final class SlurmSubmission {
    private SlurmSubmission() { }

    /** The sbatch command for {@code indices} (null: every point) of {@code sweep}. */
    public static List<String> command(Sweep sweep, SweepFolder folder, Path repo, List<Integer> indices, int points) {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--array=" + arraySpec(indices, points, sweep.maxParallel()),
                "--job-name=" + sweep.name(), "--output=" + folder.dir().resolve("slurm").resolve("%A_%a.out")));
        if (sweep.dev().equals("multicore")) {
            cmd.addAll(List.of("--nodes=1", "--ntasks=" + sweep.np()));
        } else {
            cmd.addAll(List.of("--nodes=" + sweep.nodes(), "--ntasks-per-node=" + sweep.ranksPerNode()));
        }
        cmd.addAll(sweep.sbatch());
        cmd.add(repo.resolve("slurm/sweep-array.sbatch").toString());
        cmd.add(folder.dir().toString());
        return cmd;
    }

    /** "0-9", "3,5" or "0-9%2". */
    static String arraySpec(List<Integer> indices, int points, int maxParallel) {
        String spec = indices == null ? "0-" + (points - 1) : indices.stream().map(String::valueOf).collect(Collectors.joining(","));
        return maxParallel > 0 ? spec + "%" + maxParallel : spec;
    }

    /** Runs sbatch; returns the array's job id. */
    public static String submit(List<String> cmd, SweepFolder folder, Path repo) throws SweepException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // the array script finds the repository through DOPT_HOME (SLURM copies the script away)
        pb.environment().put("DOPT_HOME", repo.toString());
        String out;
        int code;
        try {
            Process p = pb.start();
            byte[] bytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SweepException("sbatch did not answer within 120 s: " + String.join(" ", cmd));
            }
            out = new String(bytes, StandardCharsets.UTF_8).trim();
            code = p.exitValue();
        } catch (IOException e) {
            throw new SweepException("cannot run sbatch (" + e.getMessage() + "): this is not a SLURM login node? "
                    + "Run the sweep on this machine with: dopt sweep run FILE --local");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SweepException("interrupted while waiting for sbatch");
        }
        String last = out.isEmpty() ? "" : out.lines().reduce((a, b) -> b).orElse("");
        String id = last.split(";")[0].trim();
        if (code != 0 || !id.matches("\\d+"))
            throw new SweepException("sbatch failed (exit " + code + "): " + (out.isEmpty() ? "(no output)" : out) + "\n  command: " + String.join(" ", cmd));
        try {
            Files.writeString(folder.dir().resolve("slurm").resolve("submitted"), id + " " + Instant.now() + " " + String.join(" ", cmd) + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new SweepException("submitted array job " + id + " but cannot record it in " + folder.dir() + ": " + e.getMessage());
        }
        return id;
    }
}
