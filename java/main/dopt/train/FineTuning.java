package dopt.train;

import dopt.comm.Communicator;
import dopt.io.Checkpoint;
import dopt.io.CheckpointException;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.nn.adapter.Adapter;
import dopt.nn.adapter.AdapterSet;
import dopt.nn.adapter.FirstStepEstimate;
import dopt.nn.adapter.LatentAdapter;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A job's {@code model.init_from} and {@code model.adapter}: the model's weights from a pre-trained
 * checkpoint, and low-rank adapters around them, so that the data-parallel loop fine-tunes.
 *
 * <p>State tree of an adapted run: {@code params/} holds the trained adapter matrices (the only
 * tensors the optimizer, the gradient averaging and the replica check see), {@code frozen/} every
 * weight of the base model (W₀, bit-identical to the {@code init_from} tensors), {@code adapter/}
 * the fixed B and A of LoRA-XS and LoRA-SB. The checkpoint is therefore self-contained: a resume
 * reads W₀ from it, not from {@code init_from}, which may have been moved or overwritten since
 * (its LoRA-SB and LoRA-XS matrices depend on W₀ and on the estimate's batches, so re-deriving
 * them from a changed file would silently continue a different run).
 */
final class FineTuning {
    private FineTuning() { }

    static final String FROZEN = "frozen/", FIXED = "adapter/";

    /** Seeds of the adapters' random initialisation and of LoRA-SB's gradient sample (same on every rank). */
    private static final long ADAPTER_STREAM = 0xADA, SAMPLE_SEED_MIX = 0x5B5B5B5BL;

    /**
     * Overwrites {@code weights} with the tensors {@code prefix + name} of {@code file}; every
     * weight must be there with its shape and nothing else under {@code prefix}.
     */
    static void loadWeights(Path file, String prefix, List<Param> weights, String field) throws JobException {
        if (!Files.exists(file)) throw new JobException(field + ": checkpoint " + file + " does not exist");
        StateTree tree;
        try {
            tree = Checkpoint.read(file).tree();
        } catch (CheckpointException e) {
            throw new JobException(field + ": " + e.getMessage());
        }
        for (String path : tree.leaves().keySet())
            if (path.startsWith(prefix) && path.contains(".lora_"))
                throw new JobException(field + ": checkpoint " + file + " holds '" + path + "': it is a fine-tuning checkpoint (adapter "
                        + "matrices, its weights under 'frozen/'); start from the pre-training checkpoint");
        for (Param w : weights) {
            String path = prefix + w.name();
            if (!tree.contains(path) || !(tree.get(path) instanceof StateTree.FloatLeaf))
                throw new JobException(field + ": checkpoint " + file + " has no tensor '" + path + "' of this job's model ("
                        + holds(tree, prefix) + "): a checkpoint of a different model");
            int[] theirs = tree.shape(path);
            if (!Arrays.equals(theirs, w.shape()))
                throw new JobException(field + ": tensor '" + path + "' is " + Arrays.toString(theirs) + " in " + file
                        + " but " + Arrays.toString(w.shape()) + " in this job's model (the first mismatching tensor): a checkpoint of a different model");
        }
        List<String> names = new ArrayList<>();
        for (Param w : weights) names.add(prefix + w.name());
        for (String path : tree.leaves().keySet())
            if (path.startsWith(prefix) && !names.contains(path))
                throw new JobException(field + ": checkpoint " + file + " holds '" + path + "', which this job's model does not have: "
                        + "a checkpoint of a different model");
        for (Param w : weights) System.arraycopy(tree.floats(prefix + w.name()), 0, w.value(), 0, w.size());
    }

    private static String holds(StateTree tree, String prefix) {
        int n = 0;
        String first = null;
        for (String p : tree.leaves().keySet())
            if (p.startsWith(prefix)) {
                if (first == null) first = p + Arrays.toString(tree.shape(p));
                n++;
            }
        return n == 0 ? "it holds no '" + prefix + "' tensors" : "it holds " + n + " '" + prefix + "' tensors, the first " + first;
    }

    /** The weights {@code model.adapter} adapts, in model order: the named transformer matrices, or an MLP's hidden layers. */
    static List<Param> targets(Job.Model model, List<Param> weights) throws JobException {
        List<Param> out = new ArrayList<>();
        for (Param p : weights) {
            if (p.role() != Param.Role.MATRIX || p.shape().length != 2) continue;
            if (model.type == Job.ModelType.TRANSFORMER && model.adapter.targets != null) {
                boolean named = false;
                for (Job.AdapterTarget t : model.adapter.targets) named |= p.name().endsWith("." + t.id() + ".weight");
                if (!named) continue;
            }
            out.add(p);
        }
        if (out.isEmpty())
            throw new JobException("'model.adapter': the model has no weight matrix to adapt"
                    + (model.type == Job.ModelType.MLP ? " (an MLP adapts its hidden layers; 'model.hidden' is empty)" : ""));
        for (Param p : out) {
            int max = Math.min(p.rows(), p.cols());
            if (model.adapter.rank > max)
                throw new JobException("'model.adapter.rank' " + model.adapter.rank + " exceeds " + max + ", the smaller side of the "
                        + p.rows() + "x" + p.cols() + " weight " + p.name() + "; allowed: 1.." + max);
        }
        return out;
    }

    /**
     * The parameters the job's adapters would train, shaped as in {@link #prepare} but without
     * init_from, data or LoRA-SB's gradient estimate: what the pre-flight check builds the
     * optimizer on. LoRA's A (r×n) and B (m×r); LoRA-XS's and LoRA-SB's R (r×r).
     */
    static List<Param> trainableShapes(Job job, List<Param> weights) throws JobException {
        Job.AdapterSpec spec = job.model.adapter;
        List<Param> out = new ArrayList<>();
        for (Param w : targets(job.model, weights)) {
            String stem = stem(w.name());
            if (spec.type == Job.AdapterType.LORA) {
                out.add(new Param(stem + ".lora_A.weight", Param.Role.MATRIX, spec.rank, w.cols()));
                out.add(new Param(stem + ".lora_B.weight", Param.Role.MATRIX, w.rows(), spec.rank));
            } else {
                out.add(new Param(stem + ".lora_R.weight", Param.Role.MATRIX, spec.rank, spec.rank));
            }
        }
        return out;
    }

    /** What the launcher checks before ranks start: init_from matches the model, the adapter fits its weights. */
    static void check(Job job, List<Param> weights) throws JobException {
        if (job.model.initFrom != null) loadWeights(Path.of(job.model.initFrom), "params/", weights, "model.init_from");
        if (job.model.adapter != null) targets(job.model, weights);
    }

    /**
     * Applies {@code init_from} to the task's freshly initialised weights (from {@code resumeFrom}'s
     * frozen weights instead when resuming an adapted run; not at all when resuming a full
     * fine-tune, whose every weight the checkpoint restores) and wraps the model in the job's
     * adapters. A collective call for LoRA-SB (its gradient estimate is summed over ranks, so that
     * every replica starts from the same B, R, A). Returns the adapters, or null.
     */
    static AdapterSet prepare(Job job, Task<?> task, Communicator comm, double firstStepLr, Path resumeFrom) throws JobException {
        List<Param> weights = task.weights();
        Job.AdapterSpec spec = job.model.adapter;
        if (resumeFrom != null && spec != null) loadWeights(resumeFrom, FROZEN, weights, "resume " + resumeFrom);
        else if (resumeFrom == null && job.model.initFrom != null) loadWeights(Path.of(job.model.initFrom), "params/", weights, "model.init_from");
        if (spec == null) return null;
        List<Param> targets = targets(job.model, weights);
        Rng rng = Rng.derive(job.seed, ADAPTER_STREAM);
        AdapterSet adapters = switch (spec.type) {
            case LORA -> AdapterSet.lora(targets, spec.rank, spec.alphaOrDefault(), rng);
            case LORA_XS -> AdapterSet.loraXs(targets, spec.rank, spec.scaleOrDefault(), rng);
            case LORA_SB -> {
                int perRank = comm.size() * task.batchSize();
                int batches = (spec.samplesOrDefault() + perRank - 1) / perRank;
                List<float[]> sums = FirstStepEstimate.sums(targets, task.sampleGradient(job.seed ^ SAMPLE_SEED_MIX), batches);
                for (float[] s : sums) comm.allreduceSum(s, 0, s.length);
                yield AdapterSet.loraSb(targets, spec.rank, FirstStepEstimate.signStep(targets, sums, firstStepLr));
            }
        };
        task.adapt(adapters);
        return adapters;
    }

    /** Registers W₀ of every weight and the fixed adapter matrices (see the class comment). */
    static void register(StateTree state, AdapterSet adapters, List<Param> weights) {
        Map<Param, Adapter> adapted = new java.util.IdentityHashMap<>();
        for (Adapter a : adapters.adapters()) adapted.put(a.base(), a);
        for (Param w : weights) {
            Adapter a = adapted.get(w);
            state.putFloats(FROZEN + w.name(), a != null ? a.frozen() : w.value(), w.shape());
        }
        for (Adapter a : adapters.adapters())
            if (a instanceof LatentAdapter l) {
                String stem = stem(a.base().name());
                int m = a.base().rows(), n = a.base().cols(), r = a.rank();
                state.putFloats(FIXED + stem + ".lora_B.weight", l.b(), m, r);
                state.putFloats(FIXED + stem + ".lora_A.weight", l.a(), r, n);
            }
    }

    /** Scalars of the fixed (untrained) adapter matrices: B and A of LoRA-XS and LoRA-SB. */
    static long fixedCount(AdapterSet adapters) {
        long c = 0;
        for (Adapter a : adapters.adapters())
            if (a instanceof LatentAdapter l) c += l.b().length + l.a().length;
        return c;
    }

    /** "LoRA-SB r=4 on wq, wk (8 matrices)". */
    static String describe(Job.AdapterSpec spec, AdapterSet adapters) {
        String kind = switch (spec.type) {
            case LORA -> "LoRA (alpha " + spec.alphaOrDefault() + ")";
            case LORA_XS -> "LoRA-XS (scale " + spec.scaleOrDefault() + ")";
            case LORA_SB -> "LoRA-SB (" + spec.samplesOrDefault() + " samples)";
        };
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (Adapter a : adapters.adapters()) {
            String s = stem(a.base().name());
            names.add(s.substring(s.lastIndexOf('.') + 1));
        }
        return kind + " r=" + spec.rank + " on " + String.join(", ", names) + " (" + adapters.adapters().size() + " matrices)";
    }

    private static String stem(String name) {
        return name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
    }
}
