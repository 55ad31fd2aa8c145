package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dopt.comm.InProcessCommunicator;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.train.NonFiniteException;
import dopt.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus fuzzer for job files ([RELY]): seeded mutations of the committed {@code jobs/*.json}
 * (wrong types, nulls, numbers out of range, unknown keys, structure removed, huge values, deep
 * nesting, keys written twice, broken syntax) go through the launcher's pre-flight in this process.
 * Every mutant either gets a {@link JobException} that names a field (or, for broken syntax, the
 * line), or is accepted; accepted mutants then train one step on two thread ranks, where they
 * may fail only for a reason nobody could check in advance (divergence).
 */
class JobFileFuzzTest {
    @TempDir Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Path REPO = DoptProcess.repo();
    private static final int MUTANTS = 260, TRAINED_SAMPLE = 6;
    /** A field in quotes ('optimizer.lr', 'model.hidden[0]', data set 'mnist') or, for syntax errors, a line. */
    private static final Pattern NAMES_A_FIELD = Pattern.compile("'[^'\\s]+'|\\(line \\d+");

    record Outcome(String mutation, String text, Throwable error) { }

    @Test
    void everyMalformedJobFileEndsInAClearErrorBeforeAnyRankStarts() throws Exception {
        List<Path> bases = usableBases();
        assertTrue(bases.size() >= 4, "at least four committed job files pass the pre-flight here: " + bases);
        Random rnd = new Random(16);
        List<Outcome> refused = new ArrayList<>(), accepted = new ArrayList<>(), unclear = new ArrayList<>();
        for (int i = 0; i < MUTANTS; i++) {
            Path base = bases.get(i % bases.size());
            String[] mutant = mutate(Files.readString(base), rnd);
            Path file = Files.writeString(dir.resolve("mutant-" + i + ".json"), mutant[1]);
            String label = base.getFileName() + ": " + mutant[0];
            try {
                Preflight.check(file, REPO, 2, 2, Preflight.rankHeapBytes());
                accepted.add(new Outcome(label, mutant[1], null));
            } catch (JobException e) {
                (NAMES_A_FIELD.matcher(e.getMessage()).find() ? refused : unclear).add(new Outcome(label, mutant[1], e));
            } catch (Throwable t) {
                unclear.add(new Outcome(label, mutant[1], t));
            }
        }
        System.out.printf("job-file fuzzer: %d mutants of %d job files: %d refused naming a field, %d accepted, %d unclear%n",
                MUTANTS, bases.size(), refused.size(), accepted.size(), unclear.size());
        StringBuilder why = new StringBuilder();
        for (Outcome o : unclear) why.append("\n").append(o.mutation()).append(" -> ").append(o.error());
        assertEquals(0, unclear.size(), "mutants without a clear error:" + why);
        assertTrue(refused.size() >= 200, "at least 200 malformed mutants were refused: " + refused.size());

        int trained = 0;
        for (Outcome o : accepted) {
            if (trained == TRAINED_SAMPLE) break;
            trainOneStep(o, dir.resolve("accepted-" + trained));
            trained++;
        }
        System.out.println("job-file fuzzer: " + trained + " accepted mutants trained one step on 2 thread ranks");
    }

    /** One step on two thread ranks; only a divergence (not checkable before the run) may stop it. */
    private static void trainOneStep(Outcome o, Path out) throws Exception {
        Path file = Files.writeString(out.resolveSibling(out.getFileName() + ".json"), o.text());
        Job job = Preflight.check(file, REPO, 2, 2, Preflight.rankHeapBytes());
        job.steps = job.comm.localSteps;
        job.evalEvery = 0;
        job.checkpoint.every = 0;
        try {
            InProcessCommunicator.run(2, 60_000, comm -> new Trainer(job, comm, out, REPO, new PrintStream(new ByteArrayOutputStream()), null).run());
        } catch (NonFiniteException divergence) {
            System.out.println("job-file fuzzer: accepted mutant diverged (allowed): " + o.mutation());
        } catch (Throwable t) {
            throw new AssertionError("accepted by the pre-flight, failed in a rank: " + o.mutation() + "\n" + o.text(), t);
        }
    }

    /** The committed job files whose pre-flight passes on this machine (data sets installed, no missing init_from). */
    private static List<Path> usableBases() throws Exception {
        List<Path> usable = new ArrayList<>();
        try (Stream<Path> files = Stream.concat(Files.list(REPO.resolve("jobs")), Files.list(REPO.resolve("jobs/adapt")))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                try {
                    Preflight.check(f, REPO, 2, 2, Preflight.rankHeapBytes());
                    usable.add(f);
                } catch (JobException e) {
                    System.out.println("job-file fuzzer: not a base here: " + f.getFileName() + " (" + e.getMessage() + ")");
                }
            }
        }
        return usable;
    }

    /** {description, mutated text}. */
    static String[] mutate(String text, Random rnd) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(text);
        List<String[]> slots = new ArrayList<>(); // {parent path, key or index}
        collect(root, "", slots);
        String[] slot = slots.get(rnd.nextInt(slots.size()));
        JsonNode parent = at(root, slot[0]);
        String where = (slot[0].isEmpty() ? "" : slot[0] + ".") + slot[1];
        JsonNode old = get(parent, slot[1]);
        switch (rnd.nextInt(11)) {
            case 0 -> { return replace(root, parent, slot[1], F.nullNode(), "null at " + where); }
            case 1 -> { return replace(root, parent, slot[1], otherType(old, rnd), "wrong type at " + where); }
            case 2 -> {
                if (old.isValueNode() && !old.isTextual()) return replace(root, parent, slot[1], F.textNode(old.asText()), "quoted " + where);
                return replace(root, parent, slot[1], F.numberNode(4), "number for " + where);
            }
            case 3 -> {
                JsonNode[] bad = {F.numberNode(-1), F.numberNode(0), F.numberNode(-1e300), F.numberNode(1e300), F.numberNode(2147483648L),
                    F.numberNode(1e-300), F.numberNode(1.5), F.numberNode(-2147483648)};
                JsonNode v = bad[rnd.nextInt(bad.length)];
                return replace(root, parent, slot[1], v, "out of range " + v + " at " + where);
            }
            case 4 -> {
                ObjectNode into = objectAt(root, parent, rnd);
                into.put("unknown_" + rnd.nextInt(1000), 1);
                return new String[] {"unknown key in " + where, root.toString()};
            }
            case 5 -> {
                String section = List.of("model", "data", "optimizer", "checkpoint", "comm").get(rnd.nextInt(5));
                JsonNode[] gone = {F.arrayNode(), F.textNode(""), F.numberNode(0), F.booleanNode(false), F.nullNode()};
                root.set(section, gone[rnd.nextInt(gone.length)]);
                return new String[] {"structure " + section + " replaced", root.toString()};
            }
            case 6 -> {
                JsonNode[] huge = {F.numberNode(Double.MAX_VALUE), F.numberNode(Long.MAX_VALUE), F.textNode("x".repeat(100_000)),
                    hugeArray(), F.numberNode(new java.math.BigInteger("9".repeat(400)))};
                return replace(root, parent, slot[1], huge[rnd.nextInt(huge.length)], "huge value at " + where);
            }
            case 7 -> {
                // as text: Jackson does not write a tree deeper than 1000 levels
                String v = old.toString();
                int depth = 50 + rnd.nextInt(2000);
                for (int d = 0; d < depth; d++) v = rnd.nextBoolean() ? "[" + v + "]" : "{\"k\":" + v + "}";
                String[] marked = replace(root, parent, slot[1], F.textNode("@nest@"), "nested " + depth + " deep at " + where);
                return new String[] {marked[0], marked[1].replace("\"@nest@\"", v)};
            }
            case 8 -> {
                String t = root.toString(), key = "\"" + slot[1] + "\":";
                int at = t.indexOf(key);
                if (parent.isObject() && at > 0) {
                    String dup = key + (old.isNumber() ? "7" : "\"dup\"") + ",";
                    return new String[] {"written twice: " + where, t.substring(0, at) + dup + t.substring(at)};
                }
                return replace(root, parent, slot[1], F.textNode("no-such-value"), "bogus string at " + where);
            }
            case 9 -> { return replace(root, parent, slot[1], F.textNode("no-such-value"), "bogus string at " + where); }
            default -> {
                String t = root.toString();
                int cut = 1 + rnd.nextInt(t.length() - 1);
                String[] breaks = {t.substring(0, cut), t.substring(0, cut) + "," + t.substring(cut), t.substring(0, cut) + "}" + t.substring(cut),
                    t.replaceFirst(":", ":,")};
                int b = rnd.nextInt(breaks.length);
                return new String[] {"broken syntax (" + b + ") at " + cut, breaks[b]};
            }
        }
    }

    private static ArrayNode hugeArray() {
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < 10_000; i++) a.add(100_000);
        return a;
    }

    private static JsonNode otherType(JsonNode old, Random rnd) {
        List<JsonNode> others = new ArrayList<>(List.of(F.textNode("x"), F.numberNode(7), F.numberNode(0.5), F.booleanNode(true),
                F.arrayNode().add(1), F.objectNode().put("a", 1)));
        others.removeIf(o -> o.getNodeType() == old.getNodeType() && !(o.isNumber() && old.isNumber() && o.isIntegralNumber() != old.isIntegralNumber()));
        return others.get(rnd.nextInt(others.size()));
    }

    private static String[] replace(ObjectNode root, JsonNode parent, String key, JsonNode value, String what) {
        if (parent instanceof ObjectNode o) o.set(key, value);
        else ((ArrayNode) parent).set(Integer.parseInt(key), value);
        return new String[] {what, root.toString()};
    }

    private static ObjectNode objectAt(ObjectNode root, JsonNode parent, Random rnd) {
        return parent instanceof ObjectNode o && rnd.nextBoolean() ? o : root;
    }

    private static void collect(JsonNode node, String path, List<String[]> slots) {
        Function<String, String> child = k -> path.isEmpty() ? k : path + "." + k;
        if (node.isObject()) node.fieldNames().forEachRemaining(k -> {
            slots.add(new String[] {path, k});
            collect(node.get(k), child.apply(k), slots);
        });
        else if (node.isArray()) for (int i = 0; i < node.size(); i++) {
            slots.add(new String[] {path, Integer.toString(i)});
            collect(node.get(i), child.apply(Integer.toString(i)), slots);
        }
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode n = root;
        if (path.isEmpty()) return n;
        for (String k : path.split("\\.")) n = get(n, k);
        return n;
    }

    private static JsonNode get(JsonNode n, String k) { return n.isArray() ? n.get(Integer.parseInt(k)) : n.get(k); }
}
