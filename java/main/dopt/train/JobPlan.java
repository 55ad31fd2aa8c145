package dopt.train;

import dopt.data.Dataset;
import dopt.data.DataSets;
import dopt.data.Sharding;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.nn.Cnn;
import dopt.nn.Mlp;
import dopt.nn.Model;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The checks and constructions a job needs before any rank trains: shared by the launcher (which
 * refuses a bad request before starting MPJ) and by every rank.
 */
public final class JobPlan {
    private JobPlan() { }

    /** {train, test} of the job's data set; a missing package is a {@link JobException} naming the install command. */
    public static Dataset[] loadData(Job job, Path repoRoot) throws JobException {
        try {
            return DataSets.load(job.data.dataset.id(), repoRoot);
        } catch (IOException e) {
            throw new JobException("data set '" + job.data.dataset.id() + "': " + e.getMessage(), e);
        }
    }

    /** Every rank's shard; fails when a shard cannot fill one batch (too many ranks for the data). */
    public static int[][] checkShards(Job job, Dataset train, int ranks) throws JobException {
        int[][] shards = new int[ranks][];
        for (int r = 0; r < ranks; r++) {
            shards[r] = Sharding.shard(train.y(), train.classes(), ranks, r, job.data.sharding.name().toLowerCase(),
                    job.data.alpha, job.seed);
            if (shards[r].length < job.data.batchSize)
                throw new JobException("--np " + ranks + " is too large for this job: " + train.name() + " has " + train.n()
                        + " training samples and rank " + r + "'s " + job.data.sharding.name().toLowerCase() + " shard holds "
                        + shards[r].length + ", fewer than data.batch_size " + job.data.batchSize
                        + "; use fewer ranks, a smaller batch, or a larger data set");
        }
        return shards;
    }

    /** The job's model, sized for the data and for the larger of the training and evaluation batches. */
    public static Model buildModel(Job job, Dataset train) throws JobException {
        return switch (job.model.type) {
            case MLP -> new Mlp(train.dim(), job.model.hidden.stream().mapToInt(Integer::intValue).toArray(), train.classes(),
                    Math.max(job.data.batchSize, DataParallelTrainer.EVAL_BATCH));
            case CNN -> {
                if (train.dim() != 28 * 28)
                    throw new JobException("model 'cnn' takes 1x28x28 images (mnist, fashion-mnist); " + train.name() + " has "
                            + train.dim() + " features per sample");
                // buffers for the training batch only: evaluation runs in chunks of it (a 500-image CNN batch is ~570 MB)
                yield new Cnn(Cnn.Config.resnet8(1, 28, 28, train.classes()), job.data.batchSize);
            }
        };
    }

    /** A short description of the job's model for the first console line. */
    static String describe(Job job, Dataset train) {
        return switch (job.model.type) {
            case MLP -> job.model.hidden.isEmpty() ? "softmax regression " + train.dim() + "-" + train.classes()
                    : "MLP " + train.dim() + "-" + job.model.hidden.stream().map(String::valueOf).reduce((a, b) -> a + "-" + b).orElse("")
                    + "-" + train.classes();
            case CNN -> "ResNet-8 CNN (GroupNorm) 1x28x28-" + train.classes();
        };
    }
}
