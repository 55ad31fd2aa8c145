package dopt.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads, validates and writes job files; every error names the offending field and what is allowed. */
public final class JobFile {
    /**
     * Strict reading: a job file says exactly what it means. No unknown keys, no key written twice
     * (Jackson would keep the last), no null where a value is needed (only the fields marked
     * {@code nulls = SET} in {@link Job} mean "the default" when null), no strings read as numbers
     * or booleans ({@code "steps": "4"}), no numbers read as strings or enum indices, no fractions
     * read as integers.
     */
    private static final ObjectMapper MAPPER = strictMapper();

    private static ObjectMapper strictMapper() {
        JsonMapper m = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL))
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
        for (CoercionInputShape scalar : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean))
            m.coercionConfigFor(LogicalType.Textual).setCoercion(scalar, CoercionAction.Fail);
        return m;
    }

    private JobFile() { }

    /** Parses and validates the job file at {@code path}. */
    public static Job read(Path path) throws JobException {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new JobException("job file " + path + " does not exist");
        } catch (IOException e) {
            throw new JobException("cannot read job file " + path + ": " + e.getMessage());
        }
        Job job = parse(text, path.toString());
        if (!text.contains("\"name\"")) {
            String f = path.getFileName().toString();
            job.name = f.endsWith(".json") ? f.substring(0, f.length() - 5) : f;
        }
        return job;
    }

    /** Parses and validates job JSON; {@code source} names it in error messages. */
    public static Job parse(String json, String source) throws JobException {
        JsonNode written = syntaxTree(json, source);
        Job job;
        try {
            job = MAPPER.readValue(json, Job.class);
        } catch (UnrecognizedPropertyException e) {
            throw new JobException("job " + source + ": unknown field '" + fieldPath(e) + "'; allowed fields here: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        } catch (InvalidFormatException e) {
            Class<?> t = e.getTargetType();
            String allowed = t != null && t.isEnum() ? "; allowed values: " + enumValues(t) : "; expected " + typeName(t);
            throw new JobException("job " + source + ": field '" + fieldPath(e) + "' has invalid value " + quote(e.getValue()) + allowed);
        } catch (InvalidNullException e) {
            throw new JobException("job " + source + ": field '" + fieldPath(e) + "' is null; leave it out for the default, or write "
                    + typeName(e.getTargetType()));
        } catch (MismatchedInputException e) {
            throw new JobException("job " + source + ": field '" + fieldPath(e) + "' has the wrong type; expected "
                    + typeName(e.getTargetType()));
        } catch (JsonMappingException e) {
            // e.g. a number beyond its field's type: "Numeric value (4294967297) out of range of int"
            throw new JobException("job " + source + ": field '" + fieldPath(e) + "' cannot be read: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw notJson(e, source);
        }
        if (job == null) throw new JobException("job " + source + " is empty");
        validate(job, source);
        unread(job, written, source);
        return job;
    }

    /**
     * The document as a tree (the keys written in each section; a JSON null counts as not written),
     * read first so that syntax errors and a key written twice are reported before any field.
     */
    private static JsonNode syntaxTree(String json, String source) throws JobException {
        // our own parser: a StreamConstraintsException (nesting deeper than 1000) carries neither it nor a location
        try (JsonParser p = MAPPER.createParser(json)) {
            try {
                return MAPPER.readTree(p);
            } catch (StreamReadException e) {
                if (e.getOriginalMessage().startsWith("Duplicate field ")) throw duplicateKey(e, source);
                throw notJson(e, p, source);
            } catch (JsonProcessingException e) {
                throw notJson(e, p, source);
            }
        } catch (IOException e) {
            throw new IllegalStateException("reading a string", e);
        }
    }

    private static JobException notJson(JsonProcessingException e, String source) {
        return notJson(e, e.getProcessor() instanceof JsonParser p ? p : null, source);
    }

    private static JobException notJson(JsonProcessingException e, JsonParser parser, String source) {
        JsonLocation at = e.getLocation() != null ? e.getLocation() : parser != null ? parser.currentLocation() : null;
        String field = parser != null ? fieldAt(parser.getParsingContext()) : "";
        return new JobException("job " + source + " is not valid JSON: " + e.getOriginalMessage()
                + (field.isEmpty() ? "" : " (in field '" + field + "')")
                + (at != null ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")" : ""));
    }

    /** The first keys from the root to where the parser stands ("optimizer.eta"), enough to find the place. */
    private static String fieldAt(JsonStreamContext here) {
        List<String> keys = new ArrayList<>();
        for (JsonStreamContext c = here; c != null && !c.inRoot(); c = c.getParent())
            keys.add(0, c.inArray() ? "[" + Math.max(0, c.getCurrentIndex()) + "]" : String.valueOf(c.getCurrentName()));
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < Math.min(keys.size(), 3); i++)
            path.append(i > 0 && !keys.get(i).startsWith("[") ? "." : "").append(keys.get(i));
        return keys.size() > 3 ? path + "..." : path.toString();
    }

    /** "field 'optimizer.lr' is written twice": the path from the parser's context where it found the second one. */
    private static JobException duplicateKey(StreamReadException e, String source) {
        String key = e.getOriginalMessage().replaceAll("(?s)^Duplicate field '(.*?)'.*$", "$1");
        String outer = e.getProcessor() != null ? fieldAt(e.getProcessor().getParsingContext().getParent()) : "";
        String path = outer.isEmpty() ? key : outer + "." + key;
        return new JobException("job " + source + ": field '" + path + "' is written twice"
                + (e.getLocation() != null ? " (again at line " + e.getLocation().getLineNr() + ")" : "") + "; keep one");
    }

    /**
     * A key that has no effect for the chosen optimizer, compressor or local method is an error,
     * not a silent no-op: a user who writes {@code rank} on adamw, or {@code comm.ratio} without a
     * compressor, believes it does something.
     */
    private static void unread(Job j, JsonNode tree, String source) throws JobException {
        List<String> errors = new ArrayList<>();
        Set<String> opt = j.optimizer.reads();
        for (String k : keys(tree.get("optimizer")))
            if (k.equals(j.optimizer.budgetKnob()) && j.optimizer.stateBudget != null)
                errors.add("'optimizer." + k + "' and 'optimizer.state_budget' both set " + j.optimizer.name.id() + "'s " + k
                        + ": give one of them (the budget makes dopt choose " + k + ")");
            else if (!opt.contains(k))
                errors.add("'optimizer." + k + "' has no effect with optimizer " + j.optimizer.name.id() + describe(j.optimizer)
                        + UNREAD_HINTS.getOrDefault(k, "") + "; remove it (this optimizer reads: " + String.join(", ", opt) + ")");
        Set<String> comm = j.comm.reads();
        for (String k : keys(tree.get("comm")))
            if (k.equals(j.comm.budgetKnob()) && j.comm.bytesPerStep != null)
                errors.add("'comm." + k + "' and 'comm.bytes_per_step' both set " + j.comm.compressor.id() + "'s " + k
                        + ": give one of them (the budget makes dopt choose " + k + ")");
            else if (!comm.contains(k))
                errors.add("'comm." + k + "' has no effect with comm.compressor " + j.comm.compressor.id() + " and comm.local_steps "
                        + j.comm.localSteps + UNREAD_HINTS.getOrDefault("comm." + k, "") + "; remove it");
        if (j.federated != null) {
            Set<String> fed = j.federated.reads();
            for (String k : keys(tree.get("federated")))
                if (!fed.contains(k))
                    errors.add("'federated." + k + "' has no effect with federated.server_optimizer " + j.federated.serverOptimizer.id()
                            + " and federated.aggregation " + j.federated.aggregation.id() + "; remove it (it reads: " + String.join(", ", fed) + ")");
        }
        if (!errors.isEmpty()) throw new JobException("job " + source + ": " + String.join("; ", errors));
    }

    private static String describe(Job.OptimizerSpec o) {
        String s = o.name == Job.OptimizerName.FRUGAL ? ", projector " + o.projector.name().toLowerCase() : "";
        return s + (o.name == Job.OptimizerName.SGD ? ", momentum " + o.momentum : "") + ", schedule " + o.schedule.name().toLowerCase();
    }

    /** Where an unread key would take effect. */
    private static final Map<String, String> UNREAD_HINTS = Map.of(
            "warmup_steps", " (it applies to schedule warmup_cosine)",
            "min_lr_ratio", " (it applies to schedule warmup_cosine)",
            "nesterov", " (it applies to sgd with momentum > 0)",
            "order", " (it applies to badam and to frugal's blocks projector)",
            "comm.ratio", " (it applies to compressors topk and randk)",
            "comm.levels", " (it applies to compressors qsgd and natural-dithering)",
            "comm.rank", " (it applies to compressor powersgd)",
            "comm.average_preconditioner", " (it applies to local steps, comm.local_steps > 1)");

    private static List<String> keys(JsonNode section) {
        List<String> k = new ArrayList<>();
        if (section != null && section.isObject())
            for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNull()) k.add(e.getKey());
            }
        return k;
    }

    /**
     * The job as JSON text (stored in checkpoints and traces so that every file says what made it):
     * every field that takes effect, defaults included, and none that does not, so the text parses
     * back to the same job.
     */
    public static String toJson(Job job) {
        try {
            ObjectNode tree = MAPPER.valueToTree(job);
            if (job.optimizer != null && tree.get("optimizer") instanceof ObjectNode o) {
                o.retain(job.optimizer.reads());
                if (o.has("eps")) o.put("eps", job.optimizer.epsOrDefault()); // the value in effect, not null
            }
            if (job.comm != null && tree.get("comm") instanceof ObjectNode c) c.retain(job.comm.reads());
            if (job.federated != null && tree.get("federated") instanceof ObjectNode f) f.retain(job.federated.reads());
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void validate(Job j, String source) throws JobException {
        List<String> errors = new ArrayList<>();
        if (j.name == null || !j.name.matches("[A-Za-z0-9._-]+")) errors.add("'name' must be letters, digits, '.', '_' or '-'");
        if (j.steps < 1) errors.add("'steps' must be at least 1 (got " + j.steps + ")");
        if (j.output != null && j.output.isBlank())
            errors.add("'output' is empty; leave it out for runs/<name>, or name a folder (\"" + j.output + "\" would write into the working directory)");
        if (j.evalEvery < 0) errors.add("'eval_every' must be >= 0 (got " + j.evalEvery + ")");
        if (j.model == null) errors.add("'model' is missing");
        else if (j.model.hidden == null || j.model.hidden.stream().anyMatch(h -> h == null || h < 1))
            errors.add("'model.hidden' must be a list of positive widths (empty for softmax regression)");
        else widestMatrix(j.model.hidden, errors);
        if (j.model != null) fineTuning(j, errors);
        if (j.data == null) errors.add("'data' is missing");
        else {
            if (j.data.batchSize < 1) errors.add("'data.batch_size' must be at least 1 (got " + j.data.batchSize + ")");
            if (!(j.data.alpha > 0)) errors.add("'data.alpha' must be positive (got " + j.data.alpha + ")");
            if (j.data.seqLen < 1) errors.add("'data.seq_len' must be at least 1 (got " + j.data.seqLen + ")");
            boolean text = j.data.dataset == Job.DatasetName.SOTU || j.data.dataset == Job.DatasetName.SOTU_CHARS;
            if (j.model != null && text != (j.model.type == Job.ModelType.TRANSFORMER))
                errors.add("'model.type' transformer goes with a text data set (sotu, sotu-chars) and only with one");
            boolean mails = j.data.dataset == Job.DatasetName.SPAM_ASSASSIN;
            if (j.model != null && mails != (j.model.type == Job.ModelType.TEXT_CLASSIFIER))
                errors.add("'model.type' text-classifier goes with the labelled text data set spam-assassin and only with it");
            if (j.data.split == null) errors.add("'data.split' must be time or recent");
            else if (j.data.split != Job.TextSplit.TIME && !text)
                errors.add("'data.split' recent selects State of the Union addresses: it goes with data.dataset sotu or sotu-chars");
            labelGroups(j.data, errors);
            if (j.data.testLabels != null) {
                if (text || mails) errors.add("'data.test_labels' selects labelled examples of the test set: not with " + j.data.dataset.id());
                else labels("data.test_labels", j.data.testLabels, errors);
            }
        }
        Job.OptimizerSpec o = j.optimizer;
        if (o == null) errors.add("'optimizer' is missing");
        else {
            if (!(o.lr > 0) || Double.isInfinite(o.lr)) errors.add("'optimizer.lr' must be a positive number (got " + o.lr + ")");
            if (!(o.momentum >= 0 && o.momentum < 1)) errors.add("'optimizer.momentum' must be in [0, 1) (got " + o.momentum + ")");
            if (!(o.beta1 >= 0 && o.beta1 < 1)) errors.add("'optimizer.beta1' must be in [0, 1) (got " + o.beta1 + ")");
            if (!(o.beta2 >= 0 && o.beta2 < 1)) errors.add("'optimizer.beta2' must be in [0, 1) (got " + o.beta2 + ")");
            if (!(o.epsOrDefault() >= 0)) errors.add("'optimizer.eps' must be >= 0 (got " + o.eps + ")");
            if (!(o.weightDecay >= 0)) errors.add("'optimizer.weight_decay' must be >= 0 (got " + o.weightDecay + ")");
            if (!(o.clip >= 0)) errors.add("'optimizer.clip' must be >= 0 (got " + o.clip + "); 0 disables clipping");
            if (o.warmupSteps < 0) errors.add("'optimizer.warmup_steps' must be >= 0");
            if (!(o.minLrRatio >= 0 && o.minLrRatio <= 1)) errors.add("'optimizer.min_lr_ratio' must be in [0, 1]");
            if (!(o.rho >= 0 && o.rho <= 1)) errors.add("'optimizer.rho' must be in [0, 1] (got " + o.rho + ")");
            if (o.updateGap < 1) errors.add("'optimizer.update_gap' must be at least 1");
            if (!(o.inactiveLrScale >= 0)) errors.add("'optimizer.inactive_lr_scale' must be >= 0");
            if (o.rank < 1) errors.add("'optimizer.rank' must be at least 1");
            if (!(o.scale > 0)) errors.add("'optimizer.scale' must be positive");
            if (o.switchEvery < 1) errors.add("'optimizer.switch_every' must be at least 1");
            if (o.blocks < 1) errors.add("'optimizer.blocks' must be at least 1 (got " + o.blocks + ")");
            budget(o.stateBudget, "optimizer.state_budget", errors);
        }
        if (j.checkpoint == null) errors.add("'checkpoint' is missing");
        else {
            if (j.checkpoint.every < 0) errors.add("'checkpoint.every' must be >= 0 (got " + j.checkpoint.every + ")");
            if (j.checkpoint.keep < 1) errors.add("'checkpoint.keep' must be at least 1 (got " + j.checkpoint.keep + ")");
        }
        if (j.comm == null) errors.add("'comm' is missing");
        else {
            if (!(j.comm.timeoutS >= MIN_TIMEOUT_S && j.comm.timeoutS <= MAX_TIMEOUT_S))
                errors.add("'comm.timeout_s' must be from " + MIN_TIMEOUT_S + " to " + (long) MAX_TIMEOUT_S + " seconds (got " + j.comm.timeoutS
                        + "): shorter fails healthy collectives, longer leaves a dead rank's peers waiting for days");
            if (!(j.comm.ratio > 0 && j.comm.ratio <= 1)) errors.add("'comm.ratio' must be in (0, 1] (got " + j.comm.ratio + ")");
            if (j.comm.levels < 1) errors.add("'comm.levels' must be at least 1 (got " + j.comm.levels + ")");
            else if (j.comm.compressor == Job.CompressorName.NATURAL_DITHERING && j.comm.levels > 32)
                errors.add("'comm.levels' for natural-dithering must be at most 32 (got " + j.comm.levels + "); the smallest level is 2^(1-levels)");
            if (j.comm.rank < 1) errors.add("'comm.rank' (PowerSGD's rank) must be at least 1 (got " + j.comm.rank + ")");
            if (j.comm.compressor == Job.CompressorName.POWERSGD && j.comm.errorFeedback != Job.ErrorFeedbackName.NONE
                    && j.comm.errorFeedback != Job.ErrorFeedbackName.EF14)
                errors.add("'comm.error_feedback' for powersgd must be ef14 (the paper's memory) or none: its messages are all-reduced factors, not a compressor's output");
            if (j.comm.errorFeedback != Job.ErrorFeedbackName.NONE && j.comm.compressor == Job.CompressorName.NONE)
                errors.add("'comm.error_feedback' needs a 'comm.compressor'");
            // EF21's analysis (Richtárik, Sokolov and Fatkhullin 2021, Definition 1 and Theorem 1) assumes a contractive
            // compressor; around RandK, QSGD or natural dithering unscaled, g_i <- g_i + C(grad - g_i) diverges (NaN by step 25)
            boolean ef21 = j.comm.errorFeedback == Job.ErrorFeedbackName.EF21 || j.comm.errorFeedback == Job.ErrorFeedbackName.EF21_NORMALIZED;
            if (ef21 && j.comm.compressor != Job.CompressorName.NONE && j.comm.compressor != Job.CompressorName.POWERSGD
                    && !j.comm.compressor.contractive())
                errors.add("'comm.error_feedback' " + j.comm.errorFeedback.name().toLowerCase() + " needs a contractive compressor"
                        + " (EF21 assumes ||C(x) - x||^2 <= (1 - alpha)||x||^2), and " + j.comm.compressor.id() + " is unbiased, not"
                        + " contractive; allowed with ef21 and ef21_normalized: topk, sign; with " + j.comm.compressor.id() + ": ef14 or none");
            budget(j.comm.bytesPerStep, "comm.bytes_per_step", errors);
            if (j.comm.bytesPerStep != null && j.federated != null)
                errors.add("'comm.bytes_per_step' budgets the gradient message of data-parallel steps; federated rounds send model deltas");
            if (j.comm.bytesPerStep != null && j.pipeline != null)
                errors.add("'comm.bytes_per_step' budgets the gradient message of data-parallel steps; pipeline stages send activations"
                        + " (pipeline.compress_activations and compress_gradients set theirs)");
            if (j.comm.bytesPerStep != null && j.byzVrMarina != null)
                errors.add("'comm.bytes_per_step' cannot budget byz_vr_marina yet: its compressed differences travel as dense floats");
            if (j.optimizer != null && j.optimizer.stateBudget != null && j.pipeline != null)
                errors.add("'optimizer.state_budget' cannot be combined with 'pipeline' yet: each stage keeps the state of its own layers");
            int h = j.comm.localSteps;
            if (h < 1) errors.add("'comm.local_steps' must be at least 1 (got " + h + ")");
            else if (h > 1) {
                if (j.comm.compressor != Job.CompressorName.NONE) errors.add("'comm.local_steps' > 1 cannot be combined with 'comm.compressor' yet");
                // checkpoints, evaluation and the end of the run fall on model averages, where replicas agree
                if (j.steps % h != 0) errors.add("'steps' must be a multiple of 'comm.local_steps' (" + h + ")");
                if (j.checkpoint != null && j.checkpoint.every % h != 0) errors.add("'checkpoint.every' must be a multiple of 'comm.local_steps' (" + h + ")");
                if (j.evalEvery % h != 0) errors.add("'eval_every' must be a multiple of 'comm.local_steps' (" + h + ")");
            }
        }
        if (j.federated != null) federated(j, errors);
        if (j.aggregation != null && j.aggregation.sampled != null && j.aggregation.sampled < 1)
            errors.add("'aggregation.sampled' must be at least 1 (got " + j.aggregation.sampled + "); leave it out for every rank");
        if (j.byzVrMarina != null) byzVrMarina(j, errors);
        if (j.pipeline != null) pipeline(j, errors);
        if (!errors.isEmpty()) throw new JobException("job " + source + ": " + String.join("; ", errors));
    }

    private static void budget(String text, String field, List<String> errors) {
        if (text == null) return;
        try {
            Budget.parse(text, field);
        } catch (JobException e) {
            errors.add(e.getMessage());
        }
    }

    /** data.label_groups goes with sharding label_groups and only with it; its labels are distinct and its shard counts positive. */
    private static void labelGroups(Job.Data d, List<String> errors) {
        if (d.sharding == null) {
            errors.add("'data.sharding' must be iid, dirichlet or label_groups");
            return;
        }
        boolean grouped = d.sharding == Job.ShardingKind.LABEL_GROUPS;
        if (!grouped) {
            if (d.labelGroups != null) errors.add("'data.label_groups' has no effect with data.sharding " + d.sharding.id()
                    + "; remove it, or use sharding label_groups");
            return;
        }
        if (d.labelGroups == null || d.labelGroups.isEmpty()) {
            errors.add("'data.sharding' label_groups needs 'data.label_groups', e.g. [{\"labels\": [0, 1, 2, 3, 4], \"shards\": 4}, "
                    + "{\"labels\": [5, 6, 7, 8, 9], \"shards\": 12}]");
            return;
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int g = 0; g < d.labelGroups.size(); g++) {
            Job.LabelGroup group = d.labelGroups.get(g);
            String at = "data.label_groups[" + g + "]";
            if (group == null) {
                errors.add("'" + at + "' must be an object with labels and shards");
                continue;
            }
            if (group.shards < 1) errors.add("'" + at + ".shards' must be at least 1 (got " + group.shards + ")");
            if (group.labels == null || group.labels.isEmpty()) errors.add("'" + at + ".labels' must name at least one label");
            else if (labels(at + ".labels", group.labels, errors))
                for (int label : group.labels)
                    if (!seen.add(label)) errors.add("'" + at + ".labels': label " + label + " is in an earlier group too (groups share no label)");
        }
    }

    /** A list of class labels: non-negative integers, none twice. True when it is one. */
    private static boolean labels(String field, List<Integer> labels, List<String> errors) {
        if (labels.stream().anyMatch(l -> l == null || l < 0)) {
            errors.add("'" + field + "' must hold class labels (integers >= 0), got " + labels);
            return false;
        }
        if (new java.util.HashSet<>(labels).size() != labels.size()) {
            errors.add("'" + field + "' names a label twice: " + labels);
            return false;
        }
        return true;
    }

    /** The byz_vr_marina section: ranges, and the exchanges it replaces or cannot take. */
    private static void byzVrMarina(Job j, List<String> errors) {
        Job.ByzVrMarina m = j.byzVrMarina;
        if (!(m.p >= 0 && m.p <= 1)) errors.add("'byz_vr_marina.p' must be in [0, 1] (got " + m.p + ")");
        if (m.alphaClip != null && !(m.alphaClip > 0 && Double.isFinite(m.alphaClip)))
            errors.add("'byz_vr_marina.alpha_clip' must be a positive number (got " + m.alphaClip + "); leave it out for no clipping");
        if (m.fullEvery < 0) errors.add("'byz_vr_marina.full_every' must be >= 0 (got " + m.fullEvery + "); 0: only the first step and p");
        if (j.comm != null) {
            if (j.comm.localSteps > 1) errors.add("'byz_vr_marina' exchanges every step: leave out comm.local_steps");
            if (j.comm.compressor == Job.CompressorName.POWERSGD || j.comm.compressor.contractive())
                errors.add("'byz_vr_marina' compresses the gradient differences with an unbiased Q (randk, qsgd, natural-dithering), not "
                        + j.comm.compressor.id());
            if (j.comm.errorFeedback != Job.ErrorFeedbackName.NONE)
                errors.add("'byz_vr_marina' takes no comm.error_feedback: the variance reduction is its own memory");
        }
        if (j.model != null && j.model.type != Job.ModelType.MLP && j.model.type != Job.ModelType.CNN)
            errors.add("'byz_vr_marina' takes full local gradients over labelled examples: model.type mlp or cnn");
    }

    /** The federated section: ranges, and what it cannot be combined with yet. */
    private static void federated(Job j, List<String> errors) {
        Job.Federated f = j.federated;
        if (f.clients < 1) errors.add("'federated.clients' must be at least 1 (got " + f.clients + ")");
        if (f.clientsPerRound != null && !(f.clientsPerRound >= 1 && f.clientsPerRound <= f.clients))
            errors.add("'federated.clients_per_round' must be from 1 to federated.clients (" + f.clients + "), got " + f.clientsPerRound);
        if (f.localSteps < 1) errors.add("'federated.local_steps' must be at least 1 (got " + f.localSteps + ")");
        // a client's optimizer schedule runs over steps x local_steps local steps, an int
        else if ((long) j.steps * f.localSteps > Integer.MAX_VALUE)
            errors.add("'federated.local_steps' " + f.localSteps + " times 'steps' " + j.steps + " exceeds " + Integer.MAX_VALUE
                    + " local steps, the most a client optimizer's schedule counts");
        if (f.serverOptimizer == null) errors.add("'federated.server_optimizer' must be sgd or adam");
        if (!(f.serverLr > 0) || Double.isInfinite(f.serverLr))
            errors.add("'federated.server_lr' must be a positive number (got " + f.serverLr + ")");
        if (!(f.momentum >= 0 && f.momentum < 1)) errors.add("'federated.momentum' must be in [0, 1) (got " + f.momentum + ")");
        if (!(f.beta1 >= 0 && f.beta1 < 1)) errors.add("'federated.beta1' must be in [0, 1) (got " + f.beta1 + ")");
        if (!(f.beta2 >= 0 && f.beta2 < 1)) errors.add("'federated.beta2' must be in [0, 1) (got " + f.beta2 + ")");
        if (!(f.tau > 0) || Double.isInfinite(f.tau)) errors.add("'federated.tau' must be a positive number (got " + f.tau + ")");
        clientAggregation(f, errors);
        // one engine at a time: the federated round replaces the ranks' gradient exchange
        if (j.comm != null && (j.comm.localSteps > 1 || j.comm.compressor != Job.CompressorName.NONE))
            errors.add("'federated' cannot be combined with 'comm.local_steps' > 1 or 'comm.compressor' yet; use federated.local_steps");
        if (j.aggregation != null || j.byzantine != null || j.byzVrMarina != null)
            errors.add("'federated' cannot be combined with 'aggregation', 'byzantine' or 'byz_vr_marina' yet");
        if (j.model != null && (j.model.adapter != null || j.model.type == Job.ModelType.TRANSFORMER
                || j.model.type == Job.ModelType.TEXT_CLASSIFIER))
            errors.add("'federated' trains mlp and cnn models on labelled examples (not model.adapter, transformer or text-classifier) for now");
    }

    /**
     * federated.aggregation: meritfed and local need a target client among the clients and every
     * client in every round; MeritFed's look-ahead x − η·Σ wᵢgᵢ is the plain server SGD step, so it
     * takes server SGD without momentum, and its mirror descent takes positive settings.
     */
    private static void clientAggregation(Job.Federated f, List<String> errors) {
        if (f.aggregation == null) {
            errors.add("'federated.aggregation' must be fedavg, meritfed or local");
            return;
        }
        if (f.aggregation == Job.ClientAggregation.FEDAVG) return;
        String a = "federated.aggregation " + f.aggregation.id();
        if (f.targetClient == null) errors.add("'federated.target_client' is missing: " + a + " trains for one target client");
        else if (f.targetClient < 0 || f.targetClient >= f.clients)
            errors.add("'federated.target_client' must be a client, 0 to " + (f.clients - 1) + " (got " + f.targetClient + ")");
        if (f.clientsPerRound != null && f.clientsPerRound != f.clients)
            errors.add("'federated.clients_per_round' must be left out (or equal federated.clients) with " + a
                    + ": the target and, for meritfed, every client whose weight is learned take part in every round");
        if (f.aggregation != Job.ClientAggregation.MERITFED) return;
        if (f.serverOptimizer != Job.ServerOptimizerName.SGD || f.momentum != 0)
            errors.add("'federated.server_optimizer' must be sgd without momentum with " + a
                    + ": its mirror descent looks ahead along the plain server step x + server_lr * sum_i w_i delta_i");
        Job.MeritFed m = f.meritfedOrDefault();
        if (m.mdSteps < 1 || m.mdSteps > 10_000) errors.add("'federated.meritfed.md_steps' must be from 1 to 10000 (got " + m.mdSteps + ")");
        if (!(m.mdLr > 0) || Double.isInfinite(m.mdLr)) errors.add("'federated.meritfed.md_lr' must be a positive number (got " + m.mdLr + ")");
        if (m.validationBatches < 1 || m.validationBatches > 10_000)
            errors.add("'federated.meritfed.validation_batches' must be from 1 to 10000 (got " + m.validationBatches + ")");
    }

    /** The pipeline section: ranges, cuts that fit the model, and what it cannot be combined with yet. */
    private static void pipeline(Job j, List<String> errors) {
        Job.Pipeline p = j.pipeline;
        if (p.stages < 2) errors.add("'pipeline.stages' must be at least 2 (got " + p.stages + "); leave 'pipeline' out for one stage");
        if (p.schedule == null) errors.add("'pipeline.schedule' must be one of " + enumValues(Job.PipelineSchedule.class));
        if (p.microBatches < 1) errors.add("'pipeline.micro_batches' must be at least 1 (got " + p.microBatches + ")");
        else if (j.data != null && j.data.batchSize % p.microBatches != 0)
            errors.add("'pipeline.micro_batches' (" + p.microBatches + ") must divide 'data.batch_size' (" + j.data.batchSize
                    + "): every micro-batch has the same rows");
        if (j.model != null && j.model.type != Job.ModelType.MLP)
            errors.add("'pipeline' cuts mlp models for now (got model.type " + j.model.type.name().toLowerCase().replace('_', '-') + ")");
        else if (j.model != null && j.model.hidden != null && p.stages >= 2) {
            int layers = j.model.hidden.size() + 1;
            if (p.stages > layers)
                errors.add("'pipeline.stages' " + p.stages + " exceeds the model's " + layers + " layers (model.hidden has " + (layers - 1)
                        + " widths); every stage needs a layer");
            else if (p.cuts != null) {
                boolean ok = p.cuts.size() == p.stages - 1 && !p.cuts.contains(null);
                for (int i = 0; ok && i < p.cuts.size(); i++)
                    ok = p.cuts.get(i) >= 1 && p.cuts.get(i) < layers && (i == 0 || p.cuts.get(i) > p.cuts.get(i - 1));
                if (!ok)
                    errors.add("'pipeline.cuts' must list the first layer of stages 2.." + p.stages + ": " + (p.stages - 1)
                            + " increasing layer indices from 1 to " + (layers - 1) + " (got " + p.cuts + "); leave it out to balance by parameter count");
            }
        }
        wireCompression("pipeline.compress_activations", p.compressActivations, errors);
        wireCompression("pipeline.compress_gradients", p.compressGradients, errors);
        // one engine at a time: the stages are one model, not replicas
        if (j.federated != null || j.aggregation != null || j.byzantine != null)
            errors.add("'pipeline' cannot be combined with 'federated', 'aggregation' or 'byzantine' yet");
        if (j.comm != null && (j.comm.localSteps > 1 || j.comm.compressor != Job.CompressorName.NONE))
            errors.add("'pipeline' cannot be combined with 'comm.compressor' or 'comm.local_steps' > 1 (those exchange replicas' gradients;"
                    + " compress the pipeline's wire with pipeline.compress_activations / compress_gradients)");
        if (j.model != null && (j.model.adapter != null || j.model.initFrom != null))
            errors.add("'pipeline' cannot be combined with 'model.adapter' or 'model.init_from' yet");
        if (j.optimizer != null && j.optimizer.clip > 0)
            errors.add("'optimizer.clip' with 'pipeline': clipping by the global norm across stages is not implemented yet; set clip to 0");
        if (j.verifyReplicas)
            errors.add("'verify_replicas' has no meaning with 'pipeline': every stage holds different parameters");
        if (j.data != null && j.data.sharding != Job.ShardingKind.IID)
            errors.add("'data.sharding' has no effect with 'pipeline': every stage reads the same batches of the whole training set; remove it");
    }

    private static void wireCompression(String field, Job.WireCompression w, List<String> errors) {
        if (w == null) return;
        if (w.compressor != Job.CompressorName.TOPK)
            errors.add("'" + field + ".compressor' must be topk (got " + (w.compressor == null ? null : w.compressor.id())
                    + "); leave '" + field + "' out for the dense wire");
        if (!(w.ratio > 0 && w.ratio <= 1)) errors.add("'" + field + ".ratio' must be in (0, 1] (got " + w.ratio + ")");
        if (w.errorFeedback != Job.ErrorFeedbackName.NONE && w.errorFeedback != Job.ErrorFeedbackName.EF14)
            errors.add("'" + field + ".error_feedback' must be none or ef14 (got " + (w.errorFeedback == null ? null : w.errorFeedback.name().toLowerCase()) + ")");
    }

    /** Bounds of comm.timeout_s: a tenth of a second (a collective on loopback takes milliseconds) to a day. */
    public static final double MIN_TIMEOUT_S = 0.1, MAX_TIMEOUT_S = 86_400;

    /** The largest float[] a JVM allocates (a few header words under 2^31 - 1). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Two adjacent hidden layers whose weight matrix would not fit one Java array (the product overflowed an int). */
    private static void widestMatrix(List<Integer> hidden, List<String> errors) {
        for (int i = 1; i < hidden.size(); i++) {
            long weights = (long) hidden.get(i - 1) * hidden.get(i);
            if (weights > MAX_ARRAY)
                errors.add("'model.hidden' widths " + hidden.get(i - 1) + " and " + hidden.get(i) + " make a " + weights
                        + "-weight matrix, more than one Java array holds (" + MAX_ARRAY + ")");
        }
    }

    /** model.init_from and model.adapter. */
    private static void fineTuning(Job j, List<String> errors) {
        Job.Model m = j.model;
        if (m.initFrom != null && m.initFrom.isBlank()) errors.add("'model.init_from' must be the path of a dopt checkpoint (.h5)");
        if (m.initFrom != null && m.init == Job.InitKind.ZEROS) errors.add("'model.init' zeros and 'model.init_from' exclude each other");
        Job.AdapterSpec a = m.adapter;
        if (a == null) return;
        if (a.type == null) {
            errors.add("'model.adapter.type' is missing; allowed values: lora, lora-xs, lora-sb");
            return;
        }
        if (m.type != Job.ModelType.TRANSFORMER && m.type != Job.ModelType.MLP)
            errors.add("'model.adapter' applies to model.type transformer or mlp (got " + m.type.name().toLowerCase().replace('_', '-') + ")");
        if (m.initFrom == null)
            errors.add("'model.adapter' needs 'model.init_from': adapters fine-tune pre-trained weights, which stay frozen");
        if (a.rank < 1) errors.add("'model.adapter.rank' must be at least 1 (got " + a.rank + ")");
        String t = a.type.id();
        if (a.alpha != null && a.type != Job.AdapterType.LORA) errors.add("'model.adapter.alpha' applies to lora only, not " + t);
        else if (a.alpha != null && !(a.alpha > 0 && Double.isFinite(a.alpha))) errors.add("'model.adapter.alpha' must be a positive number (got " + a.alpha + ")");
        if (a.scale != null && a.type != Job.AdapterType.LORA_XS) errors.add("'model.adapter.scale' applies to lora-xs only, not " + t);
        else if (a.scale != null && !(a.scale > 0 && Double.isFinite(a.scale))) errors.add("'model.adapter.scale' must be a positive number (got " + a.scale + ")");
        // LoRA-SB's B R A is the best rank-r approximation of a first step -eta1 sign(sum g), with eta1 the lr of the first
        // warm-up step (methods.md A4; the authors always warm up): with a constant lr that is a full sign step of size lr
        // on every coordinate at initialisation (the tiny LM's loss went from 0.51 to 1.64 before any training)
        if (a.type == Job.AdapterType.LORA_SB && j.optimizer != null
                && (j.optimizer.schedule != Job.ScheduleKind.WARMUP_COSINE || j.optimizer.warmupSteps < 1))
            errors.add("'model.adapter' lora-sb initialises from the first step of a warm-up (-lr/warmup_steps * sign of the summed"
                    + " gradient, as the authors do): it needs 'optimizer.schedule' warmup_cosine with 'optimizer.warmup_steps' >= 1"
                    + " (got schedule " + j.optimizer.schedule.name().toLowerCase() + ", warmup_steps " + j.optimizer.warmupSteps
                    + "); with a constant lr its initial update is a full sign step of size lr");
        if (a.samples != null && a.type != Job.AdapterType.LORA_SB) errors.add("'model.adapter.samples' applies to lora-sb only, not " + t);
        else if (a.samples != null && a.samples < 1) errors.add("'model.adapter.samples' must be at least 1 (got " + a.samples + ")");
        if (a.targets != null) {
            if (m.type != Job.ModelType.TRANSFORMER)
                errors.add("'model.adapter.targets' names transformer weights; an MLP's adapters go on its hidden layers (leave targets out)");
            else if (a.targets.isEmpty() || a.targets.contains(null))
                errors.add("'model.adapter.targets' must list weights to adapt; allowed values: " + enumValues(Job.AdapterTarget.class));
            else if (new java.util.HashSet<>(a.targets).size() != a.targets.size())
                errors.add("'model.adapter.targets' names a weight twice: " + a.targets.stream().map(Job.AdapterTarget::id).collect(Collectors.joining(", ")));
        }
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String enumValues(Class<?> t) {
        List<String> names = new ArrayList<>();
        for (Object c : t.getEnumConstants()) {
            try {
                JsonProperty p = t.getField(((Enum<?>) c).name()).getAnnotation(JsonProperty.class);
                names.add(p != null ? p.value() : ((Enum<?>) c).name().toLowerCase());
            } catch (NoSuchFieldException e) {
                names.add(c.toString());
            }
        }
        return String.join(", ", names);
    }

    private static String typeName(Class<?> t) {
        if (t == null) return "another type";
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) return "an integer";
        if (t == double.class || t == Double.class) return "a number";
        if (t == boolean.class || t == Boolean.class) return "true or false";
        if (t == String.class) return "a string";
        if (t.isEnum()) return "one of " + enumValues(t);
        if (List.class.isAssignableFrom(t)) return "a list";
        return "an object";
    }

    private static String quote(Object v) { return v instanceof String ? "\"" + v + "\"" : String.valueOf(v); }
}
