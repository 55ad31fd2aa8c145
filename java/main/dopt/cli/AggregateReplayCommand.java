package dopt.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.aggregate.Attack;
import dopt.aggregate.Bucketing;
import dopt.aggregate.CenteredClipping;
import dopt.aggregate.GaussianAttack;
import dopt.aggregate.Krum;
import dopt.aggregate.Mean;
import dopt.aggregate.NamedAggregation;
import dopt.aggregate.NoAttack;
import dopt.aggregate.PreAggregator;
import dopt.aggregate.RobustAggregator;
import dopt.io.AggregationCaseFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Applies a robust aggregation rule (after its pre-aggregators) and an attack to one recorded
 * problem: the conformance interface between dopt's aggregators and values computed elsewhere
 * (by hand, by the reference Python code), as {@code optim-replay} is for optimizers.
 */
@Command(name = "aggregate-replay", mixinStandardHelpOptions = true,
        description = {"Replay a robust aggregation rule and an attack on recorded rows.",
                "Input HDF5: root attributes 'rule', 'hyperparameters' (JSON), 'pre_aggregators' (JSON list), 'attack', "
                        + "'attack_hyperparameters' (JSON), 'seed' (int64, carried along: every random choice is in the file); "
                        + "datasets /inputs (n x d: honest rows first, Byzantine rows last), /honest (h x d), /permutation "
                        + "(with bucketing), /center (centered_clipping; absent: 0), /attack_noise (gaussian).",
                "Output: a copy of the input plus /output (d), /output_byzantine (f x d, f = n - h, the attack on /honest; "
                        + "absent when f = 0 or the attack is none) and /output_selected (krum, multi_krum: the rule's input rows "
                        + "it selected, by increasing score).",
                "Rules: mean median trimmed_mean{f} krum{f} multi_krum{f,m=n-f} geometric_median{T=3,nu=0.1} "
                        + "centered_clipping{tau=10,L=3}. Pre-aggregators: bucketing{s} nnm{f}. Attacks: none sign_flip bit_flip "
                        + "ipm{eps=0.1} alie{z=default from n,f} gaussian{mu,sigma}. Definitions, edge conventions and sources: the Javadoc of package dopt.aggregate."})
final class AggregateReplayCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "Input case (HDF5).")
    Path in;
    @Option(names = "--out", required = true, description = "Output file (HDF5).")
    Path out;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() {
        try {
            AggregationCaseFile.Case c = AggregationCaseFile.read(in);
            AggregationCaseFile.Result r = replay(c);
            AggregationCaseFile.write(c, r, out);
            System.out.println("aggregate-replay: " + c.rule() + " over " + c.inputs().length + " rows of " + c.inputs()[0].length
                    + (r.byzantine() == null ? "" : ", attack " + c.attack() + " forged " + r.byzantine().length) + " -> " + out);
            return 0;
        } catch (Exception e) {
            System.err.println("dopt aggregate-replay: error: " + e.getMessage());
            return 2;
        }
    }

    static AggregationCaseFile.Result replay(AggregationCaseFile.Case c) throws Exception {
        float[][] inputs = c.inputs();
        int n = inputs.length, d = inputs[0].length;
        if (!NamedAggregation.RULES.contains(c.rule()))
            throw new IllegalArgumentException("rule: unknown rule '" + c.rule() + "' (known: " + String.join(", ", NamedAggregation.RULES) + ")");
        if (!NamedAggregation.ATTACKS.contains(c.attack()))
            throw new IllegalArgumentException("attack: unknown attack '" + c.attack() + "' (known: " + String.join(", ", NamedAggregation.ATTACKS) + ")");
        List<PreAggregator> pre = preAggregators(c.preAggregators(), n, d);
        RobustAggregator aggregation = new RobustAggregator(n, d, pre,
                field("hyperparameters", () -> NamedAggregation.rule(c.rule(), object("hyperparameters", c.hyperparameters()), n, d)));
        for (PreAggregator p : pre)
            if (p instanceof Bucketing b) fillPermutation(b, c.permutation(), n);
        if (aggregation.rule() instanceof CenteredClipping cc && c.center() != null)
            System.arraycopy(c.center(), 0, cc.center(), 0, d);
        if (!takesNonFinite(aggregation, pre)) checkFinite(inputs, c.rule());
        boolean[] valid = new boolean[n];
        java.util.Arrays.fill(valid, true);
        float[] output = new float[d];
        aggregation.aggregate(inputs, valid, output);
        long[] selected = null;
        if (aggregation.rule() instanceof Krum) selected = java.util.Arrays.stream(aggregation.selectedRows()).asLongStream().toArray();
        return new AggregationCaseFile.Result(output, forge(c, n, d), selected);
    }

    /** The attack's rows from /honest: f = n − h of them; null where nothing is forged. */
    private static float[][] forge(AggregationCaseFile.Case c, int n, int d) throws Exception {
        Attack attack = field("attack_hyperparameters",
                () -> NamedAggregation.attack(c.attack(), object("attack_hyperparameters", c.attackHyperparameters()), d));
        if (attack instanceof NoAttack) return null;
        float[][] honest = c.honest();
        if (honest == null) throw new IllegalArgumentException("attack " + c.attack() + " needs the honest rows /honest");
        int h = honest.length, f = n - h;
        if (f < 0) throw new IllegalArgumentException("/honest has " + h + " rows, more than the n = " + n + " rows of /inputs");
        checkFinite("/honest", honest);
        if (attack instanceof GaussianAttack g) {
            if (c.attackNoise() == null) throw new IllegalArgumentException("attack gaussian needs its standard-normal draw /attack_noise");
            checkFinite("/attack_noise", new float[][] {c.attackNoise()});
            System.arraycopy(c.attackNoise(), 0, g.noise(), 0, d);
        }
        float[][] byzantine = new float[f][d];
        Attack a = attack;
        field("attack", () -> { a.forge(honest, h, byzantine, f); return null; });
        return byzantine;
    }

    private static List<PreAggregator> preAggregators(String json, int n, int d) throws Exception {
        List<?> specs;
        try {
            specs = JSON.readValue(json, List.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("pre_aggregators must be a JSON list, got " + json);
        }
        List<PreAggregator> out = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            if (!(specs.get(i) instanceof Map<?, ?> m))
                throw new IllegalArgumentException("pre_aggregators[" + i + "] must be a JSON object, got " + specs.get(i));
            @SuppressWarnings("unchecked")
            Map<String, ?> spec = (Map<String, ?>) m;
            out.add(field("pre_aggregators[" + i + "]", () -> NamedAggregation.preAggregator(spec, n, d)));
        }
        long bucketings = out.stream().filter(p -> p instanceof Bucketing).count();
        if (bucketings > 1) throw new IllegalArgumentException("pre_aggregators: at most one bucketing, got " + bucketings);
        return out;
    }

    private static void fillPermutation(Bucketing b, long[] permutation, int n) {
        if (permutation == null) throw new IllegalArgumentException("bucketing needs the permutation /permutation");
        if (permutation.length != n)
            throw new IllegalArgumentException("/permutation has " + permutation.length + " entries, not n = " + n);
        boolean[] seen = new boolean[n];
        for (int k = 0; k < n; k++) {
            long p = permutation[k];
            if (p < 0 || p >= n)
                throw new IllegalArgumentException("/permutation[" + k + "] = " + p + " is not a row index in [0, " + n + ")");
            if (seen[(int) p]) throw new IllegalArgumentException("/permutation is not a permutation: it holds " + p + " twice");
            seen[(int) p] = true;
            b.permutation()[k] = (int) p;
        }
    }

    /** Only the mean with at most bucketing in front is linear: NaN/Inf then pass through as in numpy. */
    private static boolean takesNonFinite(RobustAggregator a, List<PreAggregator> pre) {
        if (!(a.rule() instanceof Mean)) return false;
        for (PreAggregator p : pre) if (!(p instanceof Bucketing)) return false;
        return true;
    }

    private static void checkFinite(float[][] inputs, String rule) {
        for (int i = 0; i < inputs.length; i++)
            for (int j = 0; j < inputs[i].length; j++)
                if (!Float.isFinite(inputs[i][j]))
                    throw new IllegalArgumentException("/inputs[" + i + ", " + j + "] is " + inputs[i][j] + ": rule " + rule
                            + " (and nnm) need finite rows; only mean, alone or after bucketing, passes NaN and Inf through");
    }

    private static void checkFinite(String name, float[][] rows) {
        for (int i = 0; i < rows.length; i++)
            for (int j = 0; j < rows[i].length; j++)
                if (!Float.isFinite(rows[i][j])) throw new IllegalArgumentException(name + " holds " + rows[i][j] + " at [" + i + ", " + j + "]");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> object(String field, String json) {
        try {
            Object v = JSON.readValue(json, Object.class);
            if (v instanceof Map<?, ?> m) return (Map<String, ?>) m;
        } catch (Exception e) {
            // reported below with the field's name
        }
        throw new IllegalArgumentException(field + " must be a JSON object, got " + json);
    }

    private interface Build<T> { T get() throws Exception; }

    /** Runs {@code build}, naming the case field its parameters came from in any error. */
    private static <T> T field(String field, Build<T> build) throws Exception {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }
}
