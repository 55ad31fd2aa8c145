package dopt.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Dense;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The parameters after a few {@link Optimizer#step}s of every named rule (and the FRUGAL, GaLore and
 * BAdam variants), hashed bit for bit and pinned to the hashes the code gave before the sign kernel
 * ({@link dopt.tensor.Sign}) replaced {@code Math.signum} loops and before {@code Optimizer.step}
 * folded a trailing {@link ScaleByLearningRate} into its add: those were speed changes, the numbers
 * must not move. Gradients are random with exact ±0 entries mixed in (sign(±0) = ±0), on odd
 * shapes (vector loops' tails), with a learning rate that changes every step. The three
 * "frugal blocks" hashes were pinned again when that projector's Adam windows became ρ of the
 * matrices' coordinates instead of round(ρ·#matrices) whole matrices: a change of method.
 */
class StepBitsPinnedTest {

    static Map<String, Map<String, Object>> cases() {
        Map<String, Map<String, Object>> c = new LinkedHashMap<>();
        for (String name : NamedRules.names()) c.put(name, Map.of());
        c.put("adam wd", Map.of("weight_decay", 0.01));
        c.put("adamw wd", Map.of("weight_decay", 0.1));
        c.put("sgd wd", Map.of("weight_decay", 0.01));
        c.put("adam clip", Map.of("clip", 0.5));
        c.put("frugal blocks", Map.of("projector", "blocks", "rho", 0.5, "update_gap", 3.0));
        c.put("frugal blocks random lr_free", Map.of("projector", "blocks", "rho", 0.34, "update_gap", 2.0, "order", "random",
                "lr_free", 3e-4, "weight_decay", 0.05));
        c.put("frugal blocks sgd", Map.of("projector", "blocks", "rho", 0.5, "update_gap", 3.0, "state_free", "sgd"));
        c.put("badam", Map.of("switch_every", 2.0));
        c.remove("frugal"); // its default projector is SVD: below
        c.remove("galore");
        return c;
    }

    /** The rules whose numbers go through matrix products, which depend on the machine's vector width. */
    static Map<String, Map<String, Object>> projectedCases() {
        Map<String, Map<String, Object>> c = new LinkedHashMap<>();
        c.put("frugal svd", Map.of("rho", 0.25, "update_gap", 3.0));
        c.put("frugal random lr_free", Map.of("projector", "random", "rho", 0.25, "update_gap", 3.0, "lr_free", 2e-4));
        c.put("frugal svd sgd", Map.of("rho", 0.25, "update_gap", 3.0, "state_free", "sgd"));
        c.put("galore", Map.of("rank", 4.0, "update_gap", 3.0));
        return c;
    }

    static List<Param> params() {
        List<Param> ps = new ArrayList<>();
        ps.add(new Param("w0", Param.Role.MATRIX, 24, 19));
        ps.add(new Param("w1", Param.Role.MATRIX, 16, 33));
        ps.add(new Param("w2", Param.Role.MATRIX, 37, 8));
        ps.add(new Param("b", Param.Role.BIAS, 17));
        ps.add(new Param("e", Param.Role.EMBEDDING, 11, 6));
        Rng rng = new Rng(3);
        for (Param p : ps) for (int j = 0; j < p.size(); j++) p.value()[j] = (float) (rng.nextGaussian() * 0.1);
        return ps;
    }

    /** FNV-1a over the bits of every parameter value after 7 steps of {@code name} with {@code extra} hyper-parameters. */
    static long run(String name, Map<String, Object> extra) {
        String rule = name.split(" ")[0];
        List<Param> ps = params();
        Map<String, Object> hp = new LinkedHashMap<>(extra);
        double lr = NamedRules.lr(rule, hp);
        Schedule schedule = Schedule.warmupCosine(lr, 2, 10, 0.1);
        Optimizer o = new Optimizer(rule, NamedRules.build(rule, hp, schedule), schedule, ps, new StateTree());
        Rng rng = new Rng(name.hashCode());
        for (int s = 1; s <= 7; s++) {
            for (Param p : ps) {
                float[] g = p.grad();
                for (int j = 0; j < g.length; j++) {
                    int k = rng.nextInt(10);
                    g[j] = k == 0 ? 0f : k == 1 ? -0f : (float) (rng.nextGaussian() * 0.01);
                }
            }
            o.step(s);
        }
        long h = 0xcbf29ce484222325L;
        for (Param p : ps) for (float v : p.value()) h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
        return h;
    }

    private static String hashes(Map<String, Map<String, Object>> cases) {
        StringBuilder got = new StringBuilder();
        for (Map.Entry<String, Map<String, Object>> e : cases.entrySet())
            got.append(e.getKey()).append(' ').append(Long.toHexString(run(e.getKey(), e.getValue()))).append('\n');
        return got.toString();
    }

    @Test
    void everyRuleGivesThePinnedBits() {
        assertEquals(PINNED, hashes(cases()));
    }

    /** Pinned on a machine with 16 float lanes (AVX-512) and the Vector API's products; skipped elsewhere. */
    @Test
    void theProjectedRulesGiveThePinnedBitsWith16Lanes() {
        assumeTrue(Dense.simd() && FloatVector.SPECIES_PREFERRED.length() == 16, "pinned for 16-lane vector products");
        assertEquals(PINNED_PROJECTED_16_LANES, hashes(projectedCases()));
    }

    /**
     * Optimizer.step, which folds a trailing ScaleByLearningRate into its add, against the old
     * semantic written out: every part's update (the scale pass included), then x += u. Random
     * gradients with ±0, NaN, huge and subnormal entries; a learning rate that is 0 at one step
     * (a factor of −0) and changes every step; a chain without a trailing scale and a nested chain.
     */
    @Test
    void theFusedScaleAndAddEqualsUpdateThenAddBitForBit() {
        Schedule schedule = step -> step == 3 ? 0.0 : 1e-3 * step;
        List<java.util.function.Supplier<GradientTransformation>> rules = List.of(
                () -> NamedRules.build("adam", Map.of(), schedule),
                () -> NamedRules.build("sgd", Map.of("weight_decay", 0.01), schedule),
                () -> NamedRules.build("signsgd", Map.of(), schedule),
                () -> NamedRules.build("frugal", Map.of("projector", "blocks", "rho", 0.5, "update_gap", 2.0), schedule),
                () -> NamedRules.build("clipped-sstm", Map.of(), schedule),
                () -> new Chain(new ClipByGlobalNorm(1.0), new Chain(new ScaleByAdam(0.9, 0.999, 1e-8), new ScaleByLearningRate(schedule))),
                () -> new Chain(new ScaleByLearningRate(schedule), new AddDecayedWeights(0.1)),
                () -> new Chain());
        for (int r = 0; r < rules.size(); r++) {
            List<Param> fused = params(), separate = params();
            Optimizer o = new Optimizer("x", rules.get(r).get(), schedule, fused, new StateTree());
            GradientTransformation rule = rules.get(r).get();
            rule.init(separate, new StateTree(), "optim");
            Rng rng = new Rng(100 + r);
            for (int s = 1; s <= 6; s++) {
                for (int i = 0; i < fused.size(); i++) {
                    float[] g = fused.get(i).grad();
                    for (int j = 0; j < g.length; j++) {
                        int k = rng.nextInt(40);
                        g[j] = k == 0 ? 0f : k == 1 ? -0f : k == 2 ? Float.NaN : k == 3 ? 3e38f : k == 4 ? Float.MIN_VALUE
                                : (float) (rng.nextGaussian() * 0.01);
                    }
                    System.arraycopy(g, 0, separate.get(i).grad(), 0, g.length);
                }
                o.step(s);
                rule.update(separate, s);
                for (Param p : separate) {
                    float[] x = p.value(), u = p.grad();
                    for (int j = 0; j < x.length; j++) x[j] += u[j];
                }
                dopt.tensor.BitExact.assertSameParams(separate, fused, "rule " + r + " step " + s);
            }
        }
    }

    static final String PINNED = """
            sgd d92dae4253d40fc8
            sgdm 6b74f9c6439b9e0e
            adam f58bd0da233b5531
            adamw f96b464f3e576f99
            signsgd 56fa1e6e84976b98
            rmsprop 2b314666d7ce31b1
            kate 87510d903c007c85
            adagrad-norm-delay 830a6bb5bd8702d
            adagrad-delay 29b1f71666d348cb
            clipped-adam ccdfc064bff83b2e
            adagrad ee4bc2ebe188ba69
            badam 69ee44338f28610c
            clipped-sgd 80674f894104c9a4
            clipped-sstm b57d0ca3cca7d469
            adam wd e11e542139dd8071
            adamw wd c6d65c37c8ea9a4f
            sgd wd b42c84ad148be3e7
            adam clip d67f7db012580900
            frugal blocks d0686a038ea3e522
            frugal blocks random lr_free b95254e0f3695635
            frugal blocks sgd 542df551b465c478
            """;

    static final String PINNED_PROJECTED_16_LANES = """
            frugal svd fc7faa3920d51276
            frugal random lr_free 1376b589119e15e3
            frugal svd sgd ea49c6e32328cc49
            galore fad22ed582696e38
            """;
}
