package dopt.optim;

import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Different rules for different parameters, in the manner of optax's {@code multi_transform} (and
 * torch's parameter groups): a labelling function names each parameter's group, and each group's
 * rule sees only the parameters of its label, with its state under {@code prefix/<label>}. The
 * groups are fixed at {@link #init}; the rules run in the order they were given. A rule whose
 * label no parameter has is still initialised, over no parameters, so the state's layout depends
 * only on the rules.
 */
public final class Partition implements GradientTransformation {

    /** The label of the 2-D parameters of role MATRIX, which FRUGAL, GaLore and BAdam split, project or cycle. */
    public static final String MATRICES = "matrices";
    /** The label of every other parameter (embeddings, norms, the head, biases), which those methods leave to full Adam. */
    public static final String OTHERS = "others";

    private final String role;
    private final Function<Param, String> label;
    private final Map<String, GradientTransformation> rules;
    private GradientTransformation[] ruleOf;
    private List<List<Param>> groups;

    /**
     * {@code rules} by label, in the order they run; every label {@code label} gives must have one.
     * {@code role} names the whole (the method: {@code "frugal"}, {@code "galore"}, {@code "badam"}).
     */
    public Partition(String role, Function<Param, String> label, Map<String, GradientTransformation> rules) {
        if (rules.isEmpty()) throw new IllegalArgumentException("a partition needs at least one rule");
        this.role = role;
        this.label = label;
        this.rules = new LinkedHashMap<>(rules);
    }

    /**
     * The 2-D matrices to {@code matrices}, everything else to {@code others}: FRUGAL, GaLore and
     * BAdam, whose papers keep embeddings, norms, the output head and biases under Adam.
     */
    public static Partition matricesAndOthers(String role, GradientTransformation matrices, GradientTransformation others) {
        Map<String, GradientTransformation> rules = new LinkedHashMap<>();
        rules.put(MATRICES, matrices);
        rules.put(OTHERS, others);
        return new Partition(role, p -> isMatrix(p) ? MATRICES : OTHERS, rules);
    }

    /** Whether {@code p} is a 2-D parameter of role MATRIX (a linear layer's weight). */
    public static boolean isMatrix(Param p) {
        return p.role() == Param.Role.MATRIX && p.shape().length == 2;
    }

    @Override
    public String role() { return role; }

    @Override
    public void init(List<Param> params, StateTree state, String prefix) {
        Map<String, List<Param>> byLabel = new LinkedHashMap<>();
        for (String l : rules.keySet()) byLabel.put(l, new ArrayList<>());
        for (Param p : params) {
            String l = label.apply(p);
            List<Param> group = byLabel.get(l);
            if (group == null)
                throw new IllegalArgumentException("parameter " + p + " is labelled '" + l + "', which has no rule; rules: " + rules.keySet());
            group.add(p);
        }
        ruleOf = rules.values().toArray(GradientTransformation[]::new);
        groups = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, List<Param>> e : byLabel.entrySet()) {
            groups.add(List.copyOf(e.getValue()));
            ruleOf[i++].init(groups.get(groups.size() - 1), state, prefix + "/" + e.getKey());
        }
    }

    /** Each rule over its own group; {@code params} must be the list given to {@link #init}. */
    @Override
    public void update(List<Param> params, long step) {
        for (int i = 0; i < ruleOf.length; i++) ruleOf[i].update(groups.get(i), step);
    }

    /** Every group's preconditioner, in the rules' order. */
    @Override
    public List<float[]> preconditionerState() {
        List<float[]> out = new ArrayList<>();
        for (GradientTransformation r : rules.values()) out.addAll(r.preconditionerState());
        return out;
    }

    @Override
    public long stateBytes() {
        long b = 0;
        for (GradientTransformation r : rules.values()) b += r.stateBytes();
        return b;
    }
}
