package dopt.train;

import dopt.data.Dataset;
import dopt.data.BatchLoader;
import dopt.data.DataSets;
import dopt.data.LabelledTexts;
import dopt.data.TextBatchLoader;
import dopt.data.TextCorpus;
import dopt.data.TokenBatchLoader;
import dopt.data.Sharding;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.nn.Batch;
import dopt.nn.Cnn;
import dopt.nn.Mlp;
import dopt.nn.SequenceClassifier;
import dopt.nn.TransformerConfig;
import dopt.nn.TransformerLm;
import dopt.nn.Model;
import java.io.IOException;
import dopt.tensor.Param;
import java.nio.file.Path;
import java.util.List;

/**
 * The checks and constructions a job needs before any rank trains: shared by the launcher (which
 * refuses a bad request before starting MPJ) and by every rank.
 */
public final class JobPlan {
    private JobPlan() { }

    private static boolean isText(Job job) { return job.model.type == Job.ModelType.TRANSFORMER; }

    private static boolean isLabelledText(Job job) { return job.model.type == Job.ModelType.TEXT_CLASSIFIER; }

    /**
     * Everything the launcher can check before ranks start: the data is installed, every rank's
     * share fills a batch, init_from and the adapters fit the model, and the optimizer builds on
     * the parameters it will train (through the same {@link Optimizers#build} the ranks call), with
     * the settings its budgets choose ({@link Budgets}). Returns what the budgets chose, one line each.
     */
    public static List<String> check(Job job, Path repoRoot, int ranks) throws JobException {
        if (isText(job)) {
            TextCorpus c = corpus(job, repoRoot);
            for (int r = 0; r < ranks; r++) textLoader(job, c.train(), ranks, r);
        } else if (isLabelledText(job)) {
            LabelledTexts train = labelledTexts(job, repoRoot)[0];
            for (int r = 0; r < ranks; r++) mailShard(job, train, ranks, r);
        } else {
            if (job.federated != null) checkClientShards(job, loadData(job, repoRoot)[0], ranks);
            else checkShards(job, loadData(job, repoRoot)[0], job.pipeline != null ? 1 : ranks);
        }
        if (job.pipeline != null && ranks != job.pipeline.stages)
            throw new JobException("'pipeline.stages' is " + job.pipeline.stages + " but the run has " + ranks + " ranks: one stage per rank; run with --np "
                    + job.pipeline.stages);
        Task task = buildTask(job, repoRoot, ranks, 0);
        if (job.model.initFrom != null || job.model.adapter != null) FineTuning.check(job, task.weights());
        List<Param> trained = job.model.adapter == null ? task.params() : FineTuning.trainableShapes(job, task.weights());
        Budgets.Choice choice = Budgets.resolve(job, trained);
        Optimizers.check(choice.job(), trained);
        RobustMean.check(job, ranks);
        return choice.lines();
    }

    /** This rank's task: the model, its data and loader. */
    static Task<?> buildTask(Job job, Path repoRoot, int ranks, int rank) throws JobException {
        if (isText(job)) {
            TextCorpus c = corpus(job, repoRoot);
            TokenBatchLoader train = textLoader(job, c.train(), ranks, rank);
            TokenBatchLoader valid;
            try {
                valid = TokenBatchLoader.iid(c.validation(), ranks, rank, job.data.seqLen, job.data.batchSize, 0);
            } catch (IllegalArgumentException e) {
                throw new JobException("the validation part of " + c.name() + " is too small for --np " + ranks + ": " + e.getMessage());
            }
            TransformerConfig cfg = transformerConfig(job, c.vocabSize());
            TransformerLm lm = new TransformerLm(cfg, job.data.batchSize);
            String d = "LLaMA-style LM (dim " + cfg.dim() + ", " + cfg.layers() + " layers), seq "
                    + job.data.seqLen;
            return new Task<>(lm, Batches.windows(train), Evaluations.windows(valid, Math.min(VALIDATION_BATCHES, valid.batchesPerEpoch())),
                    c.name() + "-train", d, c.unigramValidationLoss());
        }
        if (isLabelledText(job)) {
            LabelledTexts[] t = labelledTexts(job, repoRoot);
            int[] shard = mailShard(job, t[0], ranks, rank);
            SequenceClassifier model = SequenceClassifier.bytes(t[0].classes(), job.data.seqLen, job.data.batchSize);
            TextBatchLoader loader = new TextBatchLoader(t[0], shard, job.data.batchSize, job.data.seqLen, job.seed, rank);
            return new Task<>(model, Batches.texts(loader, job.data.batchSize, job.data.seqLen),
                    Evaluations.texts(t[1], job.data.batchSize, job.data.seqLen), t[0].name(),
                    "bag of byte 1..3-grams + MLP, " + t[0].classes() + " classes, first " + job.data.seqLen + " bytes", Double.NaN);
        }
        Dataset[] data = loadData(job, repoRoot);
        Model model = buildModel(job, data[0]);
        if (job.federated != null) {
            int target = job.federated.aggregation == Job.ClientAggregation.MERITFED ? job.federated.targetClient : -1;
            ClientBatches clients = new ClientBatches(data[0], checkClientShards(job, data[0], ranks), job.data.batchSize, job.seed,
                    ranks, rank, target);
            return new Task<>(model, clients, Evaluations.examples(testSet(job, data[1])), data[0].name(), describe(job, data[0]), Double.NaN);
        }
        if (job.pipeline != null) return pipelineStage(job, data, ranks, rank);
        int[] shard = checkShards(job, data[0], ranks)[rank];
        BatchLoader loader = new BatchLoader(data[0], shard, job.data.batchSize, job.seed, rank);
        Batches<Batch.Examples> batches = Batches.examples(loader, job.data.batchSize, data[0].dim());
        if (flipsLabels(job, ranks, rank)) batches = new LabelFlip(batches, data[0].classes());
        return new Task<>(model, batches, Evaluations.examples(testSet(job, data[1])), data[0].name(), describe(job, data[0]), Double.NaN);
    }

    /** Whether {@code rank} is a Byzantine rank of a label-flipping job: it trains on its shard with flipped labels. */
    static boolean flipsLabels(Job job, int ranks, int rank) {
        if (job.byzantine == null || !ByzantineRanks.LABEL_FLIP.equals(job.byzantine.attack)) return false;
        for (int b : job.byzantine.ranksOf(ranks)) if (b == rank) return true;
        return false;
    }

    /**
     * Stage {@code rank} of the job's MLP cut into {@code ranks} stages, with a loader over the whole
     * training set that every stage seeds alike (rank 0's stream): the stages are one model, so they
     * read the same batches, the first for its rows and the last for its labels.
     */
    private static Task<?> pipelineStage(Job job, Dataset[] data, int ranks, int rank) throws JobException {
        Job.Pipeline p = job.pipeline;
        int[] widths = mlpWidths(job, data[0]);
        long[] layerParams = new long[widths.length - 1];
        for (int l = 0; l < layerParams.length; l++) layerParams[l] = (long) widths[l + 1] * widths[l] + widths[l + 1];
        int[] starts;
        try {
            starts = dopt.pipeline.StageCuts.starts(p.cuts, layerParams, ranks);
        } catch (IllegalArgumentException e) {
            throw new JobException("'pipeline': " + e.getMessage());
        }
        int rows = job.data.batchSize / p.microBatches;
        dopt.pipeline.Schedule schedule = dopt.pipeline.Schedule.byId(p.schedule.id());
        dopt.nn.MlpStage stage = dopt.nn.MlpStage.of(widths, starts, rank, rows, schedule.slots(rank, ranks, p.microBatches));
        int[] all = checkShards(job, data[0], 1)[0];
        BatchLoader loader = new BatchLoader(data[0], all, job.data.batchSize, job.seed, 0);
        int end = rank + 1 < ranks ? starts[rank + 1] : widths.length - 1;
        String layers = end == starts[rank] + 1 ? "layer " + end : "layers " + (starts[rank] + 1) + "-" + end;
        String d = describe(job, data[0]) + ", stage " + (rank + 1) + " of " + ranks + " (" + layers + ")";
        return new Task<>(new StageNetwork(stage, rank, ranks, rows), Batches.examples(loader, job.data.batchSize, data[0].dim()),
                Evaluations.pipelined(data[1]), data[0].name(), d, Double.NaN);
    }

    /** The MLP's widths: input, hidden..., classes. */
    private static int[] mlpWidths(Job job, Dataset train) {
        int[] w = new int[job.model.hidden.size() + 2];
        w[0] = train.dim();
        for (int i = 0; i < job.model.hidden.size(); i++) w[i + 1] = job.model.hidden.get(i);
        w[w.length - 1] = train.classes();
        return w;
    }

    /** Validation batches per rank per evaluation (the whole validation part is 0.8 M tokens). */
    static final int VALIDATION_BATCHES = 16;

    private static TextCorpus corpus(Job job, Path repoRoot) throws JobException {
        try {
            TextCorpus c = DataSets.corpus(job.data.dataset.id(), repoRoot);
            return job.data.split == Job.TextSplit.RECENT ? c.recent() : c;
        } catch (IOException e) {
            throw new JobException("data set '" + job.data.dataset.id() + "': " + e.getMessage(), e);
        }
    }

    private static TokenBatchLoader textLoader(Job job, TextCorpus.Part part, int ranks, int rank) throws JobException {
        try {
            return TokenBatchLoader.iid(part, ranks, rank, job.data.seqLen, job.data.batchSize, job.seed);
        } catch (IllegalArgumentException e) {
            throw new JobException("--np " + ranks + " with data.seq_len " + job.data.seqLen + " and data.batch_size "
                    + job.data.batchSize + " does not fit the corpus: " + e.getMessage());
        }
    }

    static TransformerConfig transformerConfig(Job job, int vocab) throws JobException {
        TransformerConfig base = switch (job.model.preset) {
            case TINY -> TransformerConfig.of(256, 64, 2, 4, 256, true);
            case M1 -> TransformerConfig.bytes1M();
            case M20 -> TransformerConfig.bytes20M();
        };
        if (job.data.seqLen > base.maxSeqLen())
            throw new JobException("data.seq_len " + job.data.seqLen + " exceeds the " + job.model.preset.name().toLowerCase()
                    + " transformer's context of " + base.maxSeqLen());
        return new TransformerConfig(vocab, base.dim(), base.layers(), base.heads(), base.hidden(), base.maxSeqLen(), base.tied());
    }

    private static LabelledTexts[] labelledTexts(Job job, Path repoRoot) throws JobException {
        try {
            return DataSets.texts(job.data.dataset.id(), repoRoot);
        } catch (IOException e) {
            throw new JobException("data set '" + job.data.dataset.id() + "': " + e.getMessage(), e);
        }
    }

    private static int[] mailShard(Job job, LabelledTexts train, int ranks, int rank) throws JobException {
        int[] shard = shardOf(job, train.label(), train.classes(), ranks, rank);
        if (shard.length < job.data.batchSize)
            throw new JobException("--np " + ranks + " is too large for this job: rank " + rank + "'s shard of " + train.name()
                    + " holds " + shard.length + " texts, fewer than data.batch_size " + job.data.batchSize);
        return shard;
    }

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
            shards[r] = shardOf(job, train.y(), train.classes(), ranks, r);
            if (shards[r].length < job.data.batchSize)
                throw new JobException("--np " + ranks + " is too large for this job: " + train.name() + " has " + train.n()
                        + " training samples and rank " + r + "'s " + job.data.sharding.id() + " shard holds "
                        + shards[r].length + ", fewer than data.batch_size " + job.data.batchSize
                        + "; use fewer ranks, a smaller batch, or a larger data set");
        }
        return shards;
    }

    /**
     * Every federated client's shard ({@code data.sharding} over clients instead of ranks); fails when
     * there are fewer clients than ranks (a rank would host none) or a client cannot fill one batch.
     */
    static int[][] checkClientShards(Job job, Dataset train, int ranks) throws JobException {
        int clients = job.federated.clients;
        if (clients < ranks)
            throw new JobException("'federated.clients' (" + clients + ") must be at least the number of ranks (" + ranks
                    + "): every rank hosts clients r, r + ranks, ...");
        int[][] shards = new int[clients][];
        for (int c = 0; c < clients; c++) {
            shards[c] = shardOf(job, train.y(), train.classes(), clients, c);
            if (shards[c].length < job.data.batchSize)
                throw new JobException("'federated.clients' " + clients + " is too many for this job: client " + c + "'s "
                        + job.data.sharding.id() + " shard of " + train.name() + " holds " + shards[c].length
                        + " samples, fewer than data.batch_size " + job.data.batchSize
                        + "; use fewer clients, a smaller batch, a larger data.alpha or a larger data set");
        }
        return shards;
    }

    /**
     * Part {@code part} of {@code parts} (ranks, or federated clients) of a training set under
     * {@code data.sharding}; label groups are checked against the data here (labels within its
     * classes, shards adding up to the parts), as only now are the classes and the parts known.
     */
    static int[] shardOf(Job job, int[] labels, int classes, int parts, int part) throws JobException {
        if (job.data.sharding != Job.ShardingKind.LABEL_GROUPS)
            return Sharding.shard(labels, classes, parts, part, job.data.sharding.id(), job.data.alpha, job.seed);
        List<Job.LabelGroup> groups = job.data.labelGroups;
        int[][] groupLabels = new int[groups.size()][];
        int[] shards = new int[groups.size()];
        int total = 0;
        for (int g = 0; g < groups.size(); g++) {
            groupLabels[g] = groups.get(g).labels.stream().mapToInt(Integer::intValue).toArray();
            shards[g] = groups.get(g).shards;
            total += shards[g];
            for (int label : groupLabels[g])
                if (label >= classes)
                    throw new JobException("'data.label_groups[" + g + "].labels' holds " + label + ", but the data set has classes 0.."
                            + (classes - 1));
        }
        if (total != parts)
            throw new JobException("'data.label_groups' cut the data into " + total + " shards, but the job has " + parts
                    + (job.federated != null ? " clients (federated.clients)" : " ranks (--np)") + "; the group's shards must add up to it");
        return Sharding.byLabelGroups(labels, groupLabels, shards, parts, part, job.seed);
    }

    /** The test set the job evaluates on: the samples of {@code data.test_labels} only, when given. */
    static Dataset testSet(Job job, Dataset test) throws JobException {
        if (job.data.testLabels == null) return test;
        for (int label : job.data.testLabels)
            if (label >= test.classes())
                throw new JobException("'data.test_labels' holds " + label + ", but the data set has classes 0.." + (test.classes() - 1));
        return test.withLabels(job.data.testLabels);
    }

    /** The job's model, sized for the data and for the larger of the training and evaluation batches. */
    public static Model buildModel(Job job, Dataset train) throws JobException {
        return switch (job.model.type) {
            case MLP -> new Mlp(train.dim(), job.model.hidden.stream().mapToInt(Integer::intValue).toArray(), train.classes(),
                    Math.max(job.data.batchSize, Evaluations.EVAL_BATCH));
            case CNN -> {
                if (train.dim() != 28 * 28)
                    throw new JobException("model 'cnn' takes 1x28x28 images (mnist, fashion-mnist); " + train.name() + " has "
                            + train.dim() + " features per sample");
                // buffers for the training batch only: evaluation runs in chunks of it (a 500-image CNN batch is ~570 MB)
                Cnn.Config c = Cnn.Config.resnet8(1, 28, 28, train.classes());
                if (job.model.norm == Job.NormKind.BATCH)
                    c = new Cnn.Config(c.channels(), c.height(), c.width(), c.classes(), c.widths(), c.blocks(), Cnn.Norm.BATCH,
                            c.groups(), c.downsample());
                yield new Cnn(c, job.data.batchSize);
            }
            case TRANSFORMER -> throw new JobException("model 'transformer' trains on a text corpus (data.dataset sotu)");
            case TEXT_CLASSIFIER -> throw new JobException("model 'text-classifier' trains on labelled texts (data.dataset spam-assassin)");
        };
    }

    /** A short description of the job's model for the first console line. */
    static String describe(Job job, Dataset train) {
        return switch (job.model.type) {
            case MLP -> job.model.hidden.isEmpty() ? "softmax regression " + train.dim() + "-" + train.classes()
                    : "MLP " + train.dim() + "-" + job.model.hidden.stream().map(String::valueOf).reduce((a, b) -> a + "-" + b).orElse("")
                    + "-" + train.classes();
            case CNN -> "ResNet-8 CNN (" + (job.model.norm == Job.NormKind.BATCH ? "BatchNorm" : "GroupNorm") + ") 1x28x28-"
                    + train.classes();
            case TRANSFORMER -> "transformer";
            case TEXT_CLASSIFIER -> "text classifier";
        };
    }
}
