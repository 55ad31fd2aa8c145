package dopt.bench;

import dopt.optim.AdamKernel;
import dopt.optim.GradientTransformation;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.state.StateTree;
import dopt.tensor.Sign;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The sign kernel and the fused scale-and-add, each against the code it replaced, in one JMH run so
 * that the ratios come from the same machine state (benchmarks/results/optim-step-2026-12-07-sign.md):
 * <ul>
 *   <li>{@code signBefore} / {@code sign}: signSGD's pass alone over {@code matrices} M floats in
 *       place, the old {@code Math.signum} loop vs {@link Sign#signum};</li>
 *   <li>{@code frugalBefore} / {@code frugal}: FRUGAL's step (blocks, ρ = 0.25, signSGD on the
 *       rest): the pre-change code written out below (BlockAdam.update's loop with Math.signum, the
 *       learning-rate pass, x += u) vs {@code Optimizer.step} of the {@code frugal} rule;</li>
 *   <li>{@code adamBefore} / {@code adam}: Adam's step: the chain's {@code update} (Adam pass, then
 *       the learning-rate pass) and x += u, the old {@code Optimizer.step}, vs {@code Optimizer.step},
 *       which folds the learning rate into the add.</li>
 * </ul>
 * Parameters: {@code matrices} matrices of 1000 × 1000 fp32, role MATRIX, as {@link OptimStepBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OptimSignBench {

    @State(Scope.Thread)
    public static class Signs {
        @Param({"20"})
        public int matrices;
        float[] g;

        @Setup
        public void setup() {
            g = new float[matrices * 1_000_000];
            for (int j = 0; j < g.length; j++) g[j] = ((j * 2654435761L >>> 8) % 2001 - 1000) * 1e-5f; // zeros among them
            float[] small = new float[4099];
            for (int r = 0; r < 20_000; r++) {
                System.arraycopy(g, 0, small, 0, small.length);
                signumBefore(small);
                Sign.signum(small, 0, small.length);
            }
        }
    }

    /** The pre-change loop of ScaleBySign (and, times freeScale, of BlockAdam's SIGN case). */
    static void signumBefore(float[] g) {
        for (int j = 0; j < g.length; j++) g[j] = Math.signum(g[j]);
    }

    @Benchmark
    public float signBefore(Signs s) {
        signumBefore(s.g);
        return s.g[0];
    }

    @Benchmark
    public float sign(Signs s) {
        Sign.signum(s.g, 0, s.g.length);
        return s.g[0];
    }

    static final double LR = 1e-3;
    static final int UPDATE_GAP = 200;

    /**
     * FRUGAL's step before this change, for the defaults of the {@code frugal} rule with the blocks
     * projector (descending order, ρ = 0.25, lr_free = lr so freeScale = 1, no weight decay):
     * BlockAdam.update's loop, ScaleByLearningRate's pass and Optimizer.step's add, as they were.
     */
    static final class FrugalBefore {
        final List<dopt.tensor.Param> params;
        final int active;
        final float[][] mu, nu;
        final int[] slotOf;
        long step;

        FrugalBefore(List<dopt.tensor.Param> params) {
            this.params = params;
            slotOf = new int[params.size()];
            active = (int) Math.round(0.25 * params.size());
            mu = new float[active][params.get(0).size()];
            nu = new float[active][params.get(0).size()];
        }

        void step() {
            long s = ++step;
            int nb = params.size();
            if ((s - 1) % UPDATE_GAP == 0) {
                // the next `active` blocks of the descending order get fresh moments
                java.util.Arrays.fill(slotOf, -1);
                long first = (s - 1) / UPDATE_GAP * active;
                for (int k = 0; k < active; k++) {
                    slotOf[nb - 1 - (int) ((first + k) % nb)] = k;
                    java.util.Arrays.fill(mu[k], 0f);
                    java.util.Arrays.fill(nu[k], 0f);
                }
            }
            long t = (s - 1) % UPDATE_GAP + 1;
            float freeScale = 1f;
            for (int b = 0; b < nb; b++) {
                float[] g = params.get(b).grad();
                int slot = slotOf[b];
                if (slot >= 0) AdamKernel.step(g, mu[slot], nu[slot], g, g.length, 0.9f, 0.999f, 1e-8f, t);
                else for (int j = 0; j < g.length; j++) g[j] = freeScale * Math.signum(g[j]);
            }
            float lr = (float) -LR;
            for (dopt.tensor.Param p : params) {
                float[] g = p.grad();
                for (int j = 0; j < g.length; j++) g[j] *= lr;
            }
            for (dopt.tensor.Param p : params) {
                float[] x = p.value(), u = p.grad();
                for (int j = 0; j < x.length; j++) x[j] += u[j];
            }
        }
    }

    static Optimizer optimizer(String rule, List<dopt.tensor.Param> params) {
        Map<String, Object> hp = rule.equals("frugal") ? Map.of("projector", "blocks", "rho", 0.25) : Map.of();
        return new Optimizer(rule, NamedRules.build(rule, hp), Schedule.constant(LR), params, new StateTree());
    }

    /** The old Optimizer.step: every part's update, the learning-rate pass included, then x += u. */
    static final class StepBefore {
        final List<dopt.tensor.Param> params;
        final GradientTransformation rule;
        long step;

        StepBefore(String name, List<dopt.tensor.Param> params) {
            this.params = params;
            rule = NamedRules.build(name, Map.of(), Schedule.constant(LR));
            rule.init(params, new StateTree(), "optim");
        }

        void step() {
            rule.update(params, ++step);
            for (dopt.tensor.Param p : params) {
                float[] x = p.value(), u = p.grad();
                for (int j = 0; j < x.length; j++) x[j] += u[j];
            }
        }
    }

    /** One implementation's state; warmed up on tiny matrices first, as OptimStepBench explains. */
    @State(Scope.Thread)
    public abstract static class Steps {
        @Param({"20"})
        public int matrices;
        List<dopt.tensor.Param> params;
        float[][] grads;
        Runnable step;

        abstract Runnable build(List<dopt.tensor.Param> params);

        @Setup
        public void setup() {
            List<dopt.tensor.Param> small = OptimStepBench.params(Math.max(4, matrices), 16, 16);
            Runnable warm = build(small);
            float[][] smallGrads = copyGrads(small);
            for (int s = 0; s < 3000; s++) {
                restore(small, smallGrads);
                warm.run();
            }
            params = OptimStepBench.params(matrices, 1000, 1000);
            grads = copyGrads(params);
            step = build(params);
        }

        /**
         * Every step starts from the same gradient, outside the timing. Feeding a step's output back
         * as the next gradient (as OptimStepBench does) drove the old path's Adam moments into
         * subnormal floats within a few hundred steps (u = −lr·m̂/√v̂ as the gradient makes m shrink by
         * about 0.8 per step), which made it 17 times slower for a reason that has nothing to do with
         * the code; the new path feeds back the unscaled direction and never gets there.
         */
        @Setup(Level.Invocation)
        public void freshGradient() { restore(params, grads); }

        static float[][] copyGrads(List<dopt.tensor.Param> ps) {
            float[][] g = new float[ps.size()][];
            for (int i = 0; i < g.length; i++) g[i] = ps.get(i).grad().clone();
            return g;
        }

        static void restore(List<dopt.tensor.Param> ps, float[][] g) {
            for (int i = 0; i < g.length; i++) System.arraycopy(g[i], 0, ps.get(i).grad(), 0, g[i].length);
        }
    }

    @State(Scope.Thread)
    public static class FrugalBeforeState extends Steps {
        @Override Runnable build(List<dopt.tensor.Param> ps) { return new FrugalBefore(ps)::step; }
    }

    @State(Scope.Thread)
    public static class FrugalState extends Steps {
        @Override Runnable build(List<dopt.tensor.Param> ps) {
            Optimizer o = optimizer("frugal", ps);
            long[] s = {0};
            return () -> o.step(++s[0]);
        }
    }

    @State(Scope.Thread)
    public static class AdamBeforeState extends Steps {
        @Override Runnable build(List<dopt.tensor.Param> ps) { return new StepBefore("adam", ps)::step; }
    }

    @State(Scope.Thread)
    public static class AdamState extends Steps {
        @Override Runnable build(List<dopt.tensor.Param> ps) {
            Optimizer o = optimizer("adam", ps);
            long[] s = {0};
            return () -> o.step(++s[0]);
        }
    }

    @Benchmark public float frugalBefore(FrugalBeforeState s) { s.step.run(); return s.params.get(0).value()[0]; }
    @Benchmark public float frugal(FrugalState s) { s.step.run(); return s.params.get(0).value()[0]; }
    @Benchmark public float adamBefore(AdamBeforeState s) { s.step.run(); return s.params.get(0).value()[0]; }
    @Benchmark public float adam(AdamState s) { s.step.run(); return s.params.get(0).value()[0]; }
}
