package dopt.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Optimizers by name and hyper-parameter map, the vocabulary of {@code dopt optim-replay}
 * (and of sweeps): {@code sgd{lr}}, {@code sgdm{lr,momentum}}, {@code adam} and {@code adamw}
 * {@code {lr,beta1,beta2,eps,weight_decay}}, {@code signsgd{lr}}, {@code rmsprop{lr,alpha,eps,weight_decay}},
 * {@code adagrad{lr,eps}}, {@code kate{lr,eta,eps}} (eta &lt; 0: 1/g₁² per coordinate), {@code adagrad-norm-delay{lr,b0,eta}} and
 * {@code adagrad-delay{lr,b0,eta}} (with {@code clip}: Clip-RAdaGradD, η = lr² unless given),
 * {@code clipped-adam{lr,beta1,beta2,eps,eta,v0,clip}} (per-tensor clip, λ = 1 by default),
 * {@code frugal{lr,beta1,beta2,eps,rho,update_gap,lr_free,projector,state_free}} (projector svd,
 * random or blocks), {@code badam{lr,beta1,beta2,eps,switch_every,blocks,order}},
 * {@code galore{lr,beta1,beta2,eps,rank,update_gap,scale}}; every one takes an optional
 * {@code clip} (global-norm clipping before the rule). Defaults are PyTorch's where PyTorch has
 * the optimizer, the papers' otherwise. Unknown names and keys are errors that list the allowed ones.
 *
 * <p>The heavy-tail methods of Gorbunov, Danilova and Gasnikov 2020: {@code clipped-sgd{lr,clip,clip_mode}}
 * (x ← x − lr·clip(g, clip); {@link ClipGradients}) and {@code clipped-sstm{a,L,nu,B,clip_mode}}
 * ({@link ClippedSstm}: α_{k+1} = (k+1)^{2ν/(1+ν)}/(2aL), clip level B/α_{k+1}); {@code clip_mode} is
 * {@code global}, {@code layer} or {@code coordinate} ({@link ClipMode}). clipped-SSTM has no
 * {@code lr} and takes no extra {@code clip}: its parameters hold the query point x, not the output y
 * (see ClippedSstm), and {@link #lr} reports its first step α₁ = 1/(2aL).
 */
public final class NamedRules {
    private NamedRules() { }

    private static final Map<String, Map<String, Object>> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("sgd", map("lr", 1e-3, "weight_decay", 0.0));
        DEFAULTS.put("sgdm", map("lr", 1e-3, "momentum", 0.9, "nesterov", 0.0, "weight_decay", 0.0));
        DEFAULTS.put("adam", map("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0));
        DEFAULTS.put("adamw", map("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 1e-2));
        DEFAULTS.put("signsgd", map("lr", 1e-3));
        DEFAULTS.put("rmsprop", map("lr", 1e-2, "alpha", 0.99, "eps", 1e-8, "weight_decay", 0.0));
        DEFAULTS.put("kate", map("lr", 1e-3, "eta", 1e-3, "eps", 0.0));
        DEFAULTS.put("adagrad-norm-delay", map("lr", 1e-2, "b0", 1e-2, "eta", Double.NaN));
        DEFAULTS.put("adagrad-delay", map("lr", 1e-2, "b0", 1e-2, "eta", Double.NaN));
        DEFAULTS.put("clipped-adam", map("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "eta", 1.0, "v0", 1e-5));
        DEFAULTS.put("adagrad", map("lr", 1e-2, "eps", 1e-10, "initial_accumulator", 0.0));
        DEFAULTS.put("frugal", map("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "rho", 0.25, "update_gap", 200.0,
                "lr_free", Double.NaN, "projector", "svd", "state_free", "signsgd", "order", "descending", "seed", 0.0,
                "weight_decay", 0.0));
        DEFAULTS.put("badam", map("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "switch_every", 100.0, "blocks", 1.0,
                "order", "descending", "seed", 0.0, "weight_decay", 0.0));
        DEFAULTS.put("galore", map("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "rank", 128.0, "update_gap", 200.0,
                "scale", 0.25, "weight_decay", 0.0));
        DEFAULTS.put("clipped-sgd", map("lr", 1e-2, "clip", 1.0, "clip_mode", "global"));
        DEFAULTS.put("clipped-sstm", map("a", 1.0, "L", 1.0, "nu", 1.0, "B", 1.0, "clip_mode", "global"));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    public static Set<String> names() { return DEFAULTS.keySet(); }

    /** The learning rate the rule uses (its {@code lr}, or the default). */
    public static double lr(String name, Map<String, Object> hp) throws IllegalArgumentException {
        Map<String, Object> h = resolve(name, hp);
        if (name.equals("clipped-sstm")) return 1 / (2 * num(h, "a") * num(h, "L"));
        return num(h, "lr");
    }

    /** The transformation chain for {@code name} with {@code hp} over defaults, ending in −lr scaling. */
    public static GradientTransformation build(String name, Map<String, Object> hp) {
        return build(name, hp, Schedule.constant(lr(name, hp)));
    }

    /**
     * As {@link #build(String, Map)} with the learning rate following {@code schedule}; rules with a
     * second step size (FRUGAL's lr_free) keep its ratio to {@code lr}.
     */
    public static GradientTransformation build(String name, Map<String, Object> hp, Schedule schedule) {
        return build(name, hp, schedule, null);
    }

    /**
     * As {@link #build(String, Map, Schedule)} with Adam's element-wise step (adam, adamw) on
     * {@code backend} when it is a device backend; every other part stays on the CPU.
     */
    public static GradientTransformation build(String name, Map<String, Object> hp, Schedule schedule, dopt.tensor.Backend backend) {
        Map<String, Object> h = resolve(name, hp);
        double lr = lr(name, hp);
        // its update is already x_{k+2} − x_{k+1}: no learning-rate scaling follows
        if (name.equals("clipped-sstm"))
            return new Chain(new ClippedSstm(num(h, "a"), num(h, "L"), num(h, "nu"), num(h, "B"),
                    ClipMode.parse(String.valueOf(h.get("clip_mode")))));
        // clipped Adam and clipped-SGD clip in their own way; every other rule takes the global-norm clip first
        boolean ownClip = name.equals("clipped-adam") || name.equals("clipped-sgd");
        Double clip = hp.containsKey("clip") && !ownClip ? num(h, "clip") : null;
        List<GradientTransformation> rule = switch (name) {
            case "sgd" -> Rules.sgd(num(h, "weight_decay"), 0, false);
            case "sgdm" -> Rules.sgd(num(h, "weight_decay"), num(h, "momentum"), num(h, "nesterov") != 0);
            case "adam" -> Rules.adam(num(h, "beta1"), num(h, "beta2"), num(h, "eps"), num(h, "weight_decay"), backend);
            case "adamw" -> Rules.adamw(num(h, "beta1"), num(h, "beta2"), num(h, "eps"), num(h, "weight_decay"), backend);
            case "signsgd" -> Rules.signSgd();
            case "rmsprop" -> Rules.rmsprop(num(h, "alpha"), num(h, "eps"), num(h, "weight_decay"));
            case "adagrad" -> Rules.adagrad(num(h, "eps"), num(h, "initial_accumulator"));
            case "kate" -> Rules.kate(num(h, "eta"), num(h, "eps"));
            case "adagrad-norm-delay", "adagrad-delay" -> {
                // Clip-RAdaGradD reweights the accumulator by η = γ² when clipping; η = 1 otherwise
                double eta = !Double.isNaN(num(h, "eta")) ? num(h, "eta") : hp.containsKey("clip") ? lr * lr : 1.0;
                yield List.of(new ScaleByAdagradDelay(name.equals("adagrad-norm-delay"), num(h, "b0"), eta));
            }
            case "clipped-adam" -> List.of(new ClippedAdamDelay(hp.containsKey("clip") ? num(h, "clip") : 1.0,
                    num(h, "beta1"), num(h, "beta2"), num(h, "eps"), num(h, "eta"), num(h, "v0")));
            case "frugal" -> {
                double lrFree = Double.isNaN(num(h, "lr_free")) ? lr : num(h, "lr_free");
                yield Rules.frugal(num(h, "rho"), projector(h), (int) num(h, "update_gap"), freeRule(h), lrFree / lr,
                        "random".equals(h.get("order")), num(h, "beta1"), num(h, "beta2"), num(h, "eps"), num(h, "weight_decay"),
                        (long) num(h, "seed"));
            }
            case "badam" -> Rules.badam((int) num(h, "switch_every"), (int) num(h, "blocks"), "random".equals(h.get("order")), num(h, "beta1"), num(h, "beta2"),
                    num(h, "eps"), num(h, "weight_decay"), (long) num(h, "seed"));
            case "galore" -> Rules.galore((int) num(h, "rank"), (int) num(h, "update_gap"), num(h, "scale"), num(h, "beta1"),
                    num(h, "beta2"), num(h, "eps"), num(h, "weight_decay"));
            case "clipped-sgd" -> List.of(new ClipGradients(ClipMode.parse(String.valueOf(h.get("clip_mode"))), num(h, "clip")));
            default -> throw new IllegalStateException(name);
        };
        return Rules.chain(clip, rule, schedule);
    }

    private static Map<String, Object> resolve(String name, Map<String, Object> hp) {
        Map<String, Object> d = DEFAULTS.get(name);
        if (d == null) throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: " + String.join(", ", names()));
        Set<String> allowed = new TreeSet<>(d.keySet());
        if (!name.equals("clipped-sstm")) allowed.add("clip"); // its clip level is B/α_{k+1}
        for (String k : hp.keySet())
            if (!allowed.contains(k))
                throw new IllegalArgumentException("optimizer '" + name + "' has no hyper-parameter '" + k + "'; allowed: " + String.join(", ", allowed));
        Map<String, Object> h = new LinkedHashMap<>(d);
        h.putAll(hp);
        return h;
    }

    private static double num(Map<String, Object> h, String key) {
        Object v = h.get(key);
        if (v instanceof Number x) return x.doubleValue();
        if (v instanceof Boolean b) return b ? 1 : 0;
        throw new IllegalArgumentException("hyper-parameter '" + key + "' must be a number (got " + v + ")");
    }

    private static Rules.FrugalProjector projector(Map<String, Object> h) {
        String p = String.valueOf(h.get("projector"));
        return switch (p) {
            case "blocks" -> Rules.FrugalProjector.BLOCKS;
            case "svd" -> Rules.FrugalProjector.SVD;
            case "random" -> Rules.FrugalProjector.RANDOM;
            default -> throw new IllegalArgumentException("unknown projector '" + p + "'; allowed: svd, random, blocks");
        };
    }

    private static ProjectedAdam.FreeRule freeRule(Map<String, Object> h) {
        String f = String.valueOf(h.get("state_free"));
        return switch (f) {
            case "signsgd", "sign" -> ProjectedAdam.FreeRule.SIGN;
            case "sgd" -> ProjectedAdam.FreeRule.SGD;
            default -> throw new IllegalArgumentException("unknown state_free rule '" + f + "'; allowed: signsgd, sgd");
        };
    }
}
