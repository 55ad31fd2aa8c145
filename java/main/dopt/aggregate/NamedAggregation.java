package dopt.aggregate;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds rules, pre-aggregators and attacks from their names and JSON-decoded parameters, as the
 * case files (and later the job files) spell them; parameters and defaults as in aggregation.md.
 * An unknown name or parameter is an error that names it, so that a typo is not silently a default.
 */
public final class NamedAggregation {
    private NamedAggregation() { }

    public static final List<String> RULES =
            List.of("mean", "median", "trimmed_mean", "krum", "multi_krum", "geometric_median", "centered_clipping");
    public static final List<String> PRE_AGGREGATORS = List.of("bucketing", "nnm");
    public static final List<String> ATTACKS = List.of("none", "sign_flip", "bit_flip", "ipm", "alie", "gaussian");

    /** A rule for up to {@code n} rows of length {@code d}. */
    public static Aggregator rule(String name, Map<String, ?> hp, int n, int d) {
        return switch (name) {
            case "mean" -> { allow(name, hp); yield new Mean(n, d); }
            case "median" -> { allow(name, hp); yield new CoordinateMedian(n, d); }
            case "trimmed_mean" -> { allow(name, hp, "f"); yield new TrimmedMean(n, d, integer(name, hp, "f", null)); }
            case "krum" -> { allow(name, hp, "f"); yield Krum.krum(n, d, integer(name, hp, "f", null)); }
            case "multi_krum" -> {
                allow(name, hp, "f", "m");
                yield Krum.multiKrum(n, d, integer(name, hp, "f", null), integer(name, hp, "m", Krum.M_DEFAULT));
            }
            case "geometric_median" -> {
                allow(name, hp, "T", "nu");
                yield new GeometricMedian(n, d, integer(name, hp, "T", GeometricMedian.DEFAULT_T),
                        number(name, hp, "nu", GeometricMedian.DEFAULT_NU));
            }
            case "centered_clipping" -> {
                allow(name, hp, "tau", "L");
                yield new CenteredClipping(n, d, number(name, hp, "tau", CenteredClipping.DEFAULT_TAU),
                        integer(name, hp, "L", CenteredClipping.DEFAULT_L));
            }
            default -> throw new IllegalArgumentException("unknown rule '" + name + "' (known: " + String.join(", ", RULES) + ")");
        };
    }

    /** A pre-aggregator from {@code {"name": ..., params...}} for up to {@code n} rows of length {@code d}. */
    public static PreAggregator preAggregator(Map<String, ?> spec, int n, int d) {
        Object nameValue = spec.get("name");
        if (!(nameValue instanceof String name))
            throw new IllegalArgumentException("a pre-aggregator needs a \"name\" (" + String.join(", ", PRE_AGGREGATORS) + "), got " + spec);
        return switch (name) {
            case "bucketing" -> { allow(name, spec, "name", "s"); yield new Bucketing(n, d, integer(name, spec, "s", null)); }
            case "nnm" -> { allow(name, spec, "name", "f"); yield new NearestNeighborMixing(n, d, integer(name, spec, "f", null)); }
            default -> throw new IllegalArgumentException("unknown pre-aggregator '" + name + "' (known: "
                    + String.join(", ", PRE_AGGREGATORS) + ")");
        };
    }

    /** An attack on rows of length {@code d}. */
    public static Attack attack(String name, Map<String, ?> hp, int d) {
        return switch (name) {
            case "none" -> { allow(name, hp); yield new NoAttack(); }
            case "sign_flip" -> { allow(name, hp); yield new SignFlipAttack(d); }
            case "bit_flip" -> { allow(name, hp); yield new BitFlipAttack(d); }
            case "ipm" -> { allow(name, hp, "eps"); yield new IpmAttack(d, number(name, hp, "eps", IpmAttack.DEFAULT_EPS)); }
            case "alie" -> {
                allow(name, hp, "z");
                yield new AlieAttack(d, hp.get("z") == null ? null : number(name, hp, "z", null));
            }
            case "gaussian" -> {
                allow(name, hp, "mu", "sigma");
                yield new GaussianAttack(d, number(name, hp, "mu", null), number(name, hp, "sigma", null));
            }
            default -> throw new IllegalArgumentException("unknown attack '" + name + "' (known: " + String.join(", ", ATTACKS) + ")");
        };
    }

    private static void allow(String owner, Map<String, ?> hp, String... keys) {
        Set<String> known = Set.of(keys);
        for (String k : hp.keySet())
            if (!known.contains(k))
                throw new IllegalArgumentException(owner + ": unknown parameter '" + k + "'"
                        + (keys.length == 0 ? " (it takes none)" : " (it takes " + String.join(", ", keys) + ")"));
    }

    private static int integer(String owner, Map<String, ?> hp, String key, Integer fallback) {
        Object v = hp.get(key);
        if (v == null) {
            if (fallback == null) throw new IllegalArgumentException(owner + ": needs the parameter '" + key + "'");
            return fallback;
        }
        if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() == ((Number) v).intValue()) return ((Number) v).intValue();
        throw new IllegalArgumentException(owner + ": parameter '" + key + "' must be an integer, got " + v);
    }

    private static double number(String owner, Map<String, ?> hp, String key, Double fallback) {
        Object v = hp.get(key);
        if (v == null) {
            if (fallback == null) throw new IllegalArgumentException(owner + ": needs the parameter '" + key + "'");
            return fallback;
        }
        if (v instanceof Number num && Double.isFinite(num.doubleValue())) return num.doubleValue();
        throw new IllegalArgumentException(owner + ": parameter '" + key + "' must be a finite number, got " + v);
    }
}
