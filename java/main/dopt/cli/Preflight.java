package dopt.cli;

import dopt.data.Dataset;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.train.JobPlan;
import java.nio.file.Path;

/**
 * Everything {@code dopt run} checks about a job before any rank starts, in this process: the job
 * file ({@link JobFile}), the model's size against a rank JVM's memory ({@link ModelMemory}), and
 * what the ranks will build (the data installed, every shard fills a batch, the optimizer builds on
 * the model: {@link JobPlan#check}). A job that passes should fail in a rank only for reasons
 * nobody could see in advance (a dead peer, a full disk, divergence).
 */
final class Preflight {
    private Preflight() { }

    /**
     * The checked job. {@code ranksPerJvm}: how many ranks share one JVM's heap (all of them on
     * multicore, one on niodev); {@code heapBytes}: a rank JVM's maximum heap.
     */
    static Job check(Path jobFile, Path repo, int np, int ranksPerJvm, long heapBytes) throws JobException {
        Job job = JobFile.read(jobFile);
        if (job.model.initFrom != null && !Path.of(job.model.initFrom).isAbsolute()) {
            // relative to this working directory, which niodev ranks (started in out/mpj-wdir) do not share:
            // they read the job with the absolute path, from the output folder
            job.model.initFrom = Path.of(job.model.initFrom).toAbsolutePath().normalize().toString();
        }
        if (job.model.type == Job.ModelType.MLP) {
            Dataset train = JobPlan.loadData(job, repo)[0];
            ModelMemory.check(job, train.dim(), train.classes(), ranksPerJvm, heapBytes);
        }
        try {
            for (String line : JobPlan.check(job, repo, np)) System.out.println("budget: " + line);
        } catch (OutOfMemoryError e) {
            // a preset model with a batch too large for this JVM: the ranks would fail the same way
            throw new JobException("the model of this job (" + job.model.type.name().toLowerCase() + ", data.batch_size "
                    + job.data.batchSize + ") does not fit in " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB of heap while it is built; use a smaller 'data.batch_size' or model");
        }
        return job;
    }

    /** The rank JVMs' maximum heap: they start with this launcher's JVM defaults (no -Xmx), so it is this JVM's. */
    static long rankHeapBytes() { return Runtime.getRuntime().maxMemory(); }
}
