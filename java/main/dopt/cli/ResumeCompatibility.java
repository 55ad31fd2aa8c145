package dopt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.io.Checkpoint;
import dopt.io.CheckpointException;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether a checkpoint may be resumed by a job ([RELY]: a resume with another lr, seed or model
 * was accepted without a word, and another rank count failed only inside the ranks). The
 * checkpoint stores the job that wrote it ({@code job}, as {@link JobFile#toJson}); every field
 * must be the same, except those that only say how long, where and how carefully to run, and do
 * not change what a step computes:
 * {@value #MAY_CHANGE_TEXT}.
 */
final class ResumeCompatibility {
    static final String MAY_CHANGE_TEXT = "steps, output, eval_every, checkpoint.every, checkpoint.keep, comm.timeout_s, "
            + "verify_replicas, model.init_from (read only at step 0)";
    private static final List<String> MAY_CHANGE = List.of("steps", "output", "eval_every", "checkpoint.every", "checkpoint.keep",
            "comm.timeout_s", "verify_replicas", "model.init_from");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumeCompatibility() { }

    /** Refuses {@code checkpoint} for {@code job} on {@code np} ranks, naming each changed field. */
    static void check(Path checkpoint, Job job, int np) throws JobException {
        Checkpoint.Loaded loaded;
        try {
            loaded = Checkpoint.read(checkpoint);
        } catch (CheckpointException e) {
            throw new JobException(e.getMessage() + "; refusing to resume from it");
        }
        String ranks = loaded.attributes().get("ranks");
        if (ranks != null && !ranks.trim().equals(Integer.toString(np)))
            throw new JobException("checkpoint " + checkpoint + " was written by " + ranks.trim() + " ranks; resume it with --np " + ranks.trim()
                    + " (got --np " + np + ")");
        if (!loaded.tree().contains("job")) return; // written before checkpoints stored their job: nothing to compare
        List<String> changed = changes(loaded.tree().string("job"), JobFile.toJson(job));
        if (!changed.isEmpty())
            throw new JobException("checkpoint " + checkpoint + " was written by a job with other settings: " + String.join("; ", changed)
                    + ". Resuming may change only " + MAY_CHANGE_TEXT + "; undo the other changes, or start a new run"
                    + " (another --output, or --overwrite)");
    }

    /** "optimizer.lr 0.001 -> 0.002" for each field that differs and may not change on resume. */
    static List<String> changes(String storedJson, String newJson) throws JobException {
        Map<String, String> before = new TreeMap<>(), after = new TreeMap<>();
        try {
            flatten(JSON.readTree(storedJson), "", before);
            flatten(JSON.readTree(newJson), "", after);
        } catch (java.io.IOException e) {
            throw new JobException("the job stored in the checkpoint cannot be read: " + e.getMessage());
        }
        TreeMap<String, String> keys = new TreeMap<>(before);
        keys.putAll(after);
        List<String> changed = new ArrayList<>();
        for (String k : keys.keySet()) {
            if (mayChange(k)) continue;
            String a = before.getOrDefault(k, "(not set)"), b = after.getOrDefault(k, "(not set)");
            if (!a.equals(b)) changed.add(k + " " + a + " -> " + b);
        }
        return changed;
    }

    private static boolean mayChange(String field) {
        for (String m : MAY_CHANGE) if (field.equals(m) || field.startsWith(m + ".") || field.startsWith(m + "[")) return true;
        return false;
    }

    /** Leaves by dotted path; a list is one value ("[512,512]"): its length is part of the model. */
    private static void flatten(JsonNode n, String path, Map<String, String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
            }
        } else if (!n.isNull()) {
            out.put(path, n.toString());
        }
    }
}
