package dopt.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The end-of-run figures, one schema for {@code summary.json}, the console table and every reader
 * (sweep reports, benchmark reports). In the file every figure is a number whose key carries its
 * unit ({@code test_accuracy} is a fraction, {@code bytes_sent_total} bytes, ...) and a figure that
 * has no meaning for the run (a language model's accuracy) is {@code null}, never a string;
 * formatted texts such as "5.11 MiB per rank" exist only in {@link #table()}.
 *
 * @param exchange                  how ranks combined their work: "allreduce", a compressor, "local steps, H = 8", ...
 * @param fineTuning                what was fine-tuned from which checkpoint, or null for a run from scratch
 * @param stepsRun                  steps taken by this launch (fewer than {@code steps} after a resume)
 * @param testAccuracy              held-out accuracy in [0, 1]; NaN (null in JSON) for language models
 * @param validationPerplexity      exp(test loss) for language models; NaN otherwise
 * @param unigramBaselineLoss       a language model's unigram baseline in nats; NaN otherwise
 * @param rejectedMessages          peer messages that failed validation, summed over receiving ranks
 * @param replicasChecked           "every step", "at the end", or "never" (pipeline stages hold different parameters)
 * @param messageBytesPerStep       bytes of one rank's gradient message per step (dense, compressed or
 *                                  PowerSGD's factors); -1 (null in JSON) where steps send no gradient message
 * @param budgetChoice              what the job's budgets chose ("rho 0.25; ratio 0.01"), or null without budgets
 */
public record RunSummary(String job, int ranks, String optimizer, String exchange, long trainableParams, long totalParams,
                         String fineTuning, long steps, long stepsRun, double seconds, double finalTrainLoss, double testLoss,
                         double testAccuracy, double validationPerplexity, double unigramBaselineLoss, double stepsPerSecond,
                         long bytesSentTotal, long bytesReceivedTotal, long optimizerStateBytesPerRank, long rejectedMessages,
                         long messageBytesPerStep, String budgetChoice, String replicasChecked, String checkpoint, long checkpointBytes, String trace, String lossPlot) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON object, keys in snake_case with their units, NaN as null. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", job);
        m.put("ranks", ranks);
        m.put("optimizer", optimizer);
        m.put("exchange", exchange);
        m.put("trainable_params", trainableParams);
        m.put("total_params", totalParams);
        m.put("fine_tuning", fineTuning);
        m.put("steps", steps);
        m.put("steps_run", stepsRun);
        m.put("seconds", number(seconds));
        m.put("final_train_loss", number(finalTrainLoss));
        m.put("test_loss", number(testLoss));
        m.put("test_accuracy", number(testAccuracy));
        m.put("validation_perplexity", number(validationPerplexity));
        m.put("unigram_baseline_loss", number(unigramBaselineLoss));
        m.put("steps_per_second", number(stepsPerSecond));
        m.put("bytes_sent_total", bytesSentTotal);
        m.put("bytes_received_total", bytesReceivedTotal);
        m.put("optimizer_state_bytes_per_rank", optimizerStateBytesPerRank);
        m.put("rejected_messages", rejectedMessages);
        m.put("message_bytes_per_step", messageBytesPerStep < 0 ? null : messageBytesPerStep);
        m.put("budget_choice", budgetChoice);
        m.put("replicas_checked", replicasChecked);
        m.put("checkpoint", checkpoint);
        m.put("checkpoint_bytes", checkpointBytes);
        m.put("trace", trace);
        m.put("loss_plot", lossPlot);
        return m;
    }

    public String toJson() throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toMap()) + "\n";
    }

    /** Reads a summary.json written by {@link #toJson()}. */
    public static RunSummary read(Path file) throws IOException {
        JsonNode n = JSON.readTree(file.toFile());
        if (n == null || !n.isObject()) throw new IOException(file + " is not a JSON object");
        if (!n.has("final_train_loss"))
            throw new IOException(file + " is not a summary of this format (no 'final_train_loss'; written by an older dopt?)");
        return new RunSummary(text(n, "job"), (int) whole(n, "ranks"), text(n, "optimizer"), text(n, "exchange"),
                whole(n, "trainable_params"), whole(n, "total_params"), text(n, "fine_tuning"), whole(n, "steps"),
                whole(n, "steps_run"), real(n, "seconds"), real(n, "final_train_loss"), real(n, "test_loss"),
                real(n, "test_accuracy"), real(n, "validation_perplexity"), real(n, "unigram_baseline_loss"),
                real(n, "steps_per_second"), whole(n, "bytes_sent_total"), whole(n, "bytes_received_total"),
                whole(n, "optimizer_state_bytes_per_rank"), whole(n, "rejected_messages"),
                n.hasNonNull("message_bytes_per_step") ? whole(n, "message_bytes_per_step") : -1, text(n, "budget_choice"),
                text(n, "replicas_checked"),
                text(n, "checkpoint"), whole(n, "checkpoint_bytes"), text(n, "trace"), text(n, "loss_plot"));
    }

    /** The console table: the same figures, formatted for people. */
    public String table() {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("job", job);
        rows.put("ranks", Integer.toString(ranks));
        rows.put("optimizer", optimizer);
        rows.put("exchange", exchange);
        rows.put("parameters", String.format(Locale.ROOT, "%,d trainable of %,d (%.2f %%)", trainableParams, totalParams,
                100.0 * trainableParams / Math.max(1, totalParams)));
        if (fineTuning != null) rows.put("fine-tuning", fineTuning);
        rows.put("steps", steps == stepsRun ? Long.toString(steps) : steps + " (" + stepsRun + " in this run)");
        rows.put("final train loss", String.format(Locale.ROOT, "%.4f", finalTrainLoss));
        rows.put(Double.isNaN(testAccuracy) ? "validation loss" : "test loss", String.format(Locale.ROOT, "%.4f", testLoss));
        if (!Double.isNaN(testAccuracy)) rows.put("test accuracy", String.format(Locale.ROOT, "%.2f %%", 100 * testAccuracy));
        if (!Double.isNaN(validationPerplexity)) rows.put("validation perplexity", String.format(Locale.ROOT, "%.3f", validationPerplexity));
        if (!Double.isNaN(unigramBaselineLoss))
            rows.put("unigram baseline loss", String.format(Locale.ROOT, "%.4f (perplexity %.2f; train-part token frequencies)",
                    unigramBaselineLoss, Math.exp(unigramBaselineLoss)));
        rows.put("steps/s", String.format(Locale.ROOT, "%.1f (%d steps in %.1f s)", stepsPerSecond, stepsRun, seconds));
        rows.put("bytes communicated", bytes(bytesSentTotal) + " sent by all ranks");
        rows.put("optimizer state", bytes(optimizerStateBytesPerRank) + " per rank");
        if (messageBytesPerStep >= 0) rows.put("gradient message", bytes(messageBytesPerStep) + " per rank and step");
        if (budgetChoice != null) rows.put("budgets chose", budgetChoice);
        if (rejectedMessages > 0) rows.put("rejected messages", rejectedMessages + " (failed validation; left out of the mean)");
        rows.put("replicas", replicasChecked.equals("never") ? "none (pipeline stages, each holding its own layers)"
                : "bit-identical (checked " + replicasChecked + ")");
        rows.put("checkpoint", checkpoint + " (" + bytes(checkpointBytes) + ")");
        rows.put("trace", trace);
        rows.put("loss plot", lossPlot);
        int w = 0, v = 0;
        for (Map.Entry<String, String> e : rows.entrySet()) {
            w = Math.max(w, e.getKey().length());
            v = Math.max(v, String.valueOf(e.getValue()).length());
        }
        StringBuilder sb = new StringBuilder();
        String rule = "+" + "-".repeat(w + 2) + "+" + "-".repeat(v + 2) + "+\n";
        sb.append(rule);
        for (Map.Entry<String, String> e : rows.entrySet())
            sb.append(String.format(Locale.ROOT, "| %-" + w + "s | %-" + v + "s |%n", e.getKey(), e.getValue()));
        return sb.append(rule).toString();
    }

    /** Bytes in binary units: "512 B", "5.11 MiB". */
    public static String bytes(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = -1;
        do { v /= 1024; i++; } while (v >= 1024 && i < u.length - 1);
        return String.format(Locale.ROOT, "%.2f %s", v, u[i]);
    }

    private static Double number(double d) { return Double.isFinite(d) ? d : null; }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long whole(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? 0 : v.asLong();
    }

    private static double real(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }
}
