package dopt.bench;

import dopt.optim.GradientTransformation;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.ScaleByAdam;
import dopt.optim.Schedule;
import dopt.state.StateTree;
import dopt.tensor.Dense;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One optimizer step over 100 M fp32 parameters (100 matrices of 1000 × 1000, role MATRIX), the
 * same tensors benchmarks/optim_torch.py gives {@code torch.optim.Adam}:
 * <ul>
 *   <li>{@code adam}: the whole step as training runs it, {@code Optimizer.step} of the
 *       {@code adam} rule (ScaleByAdam → lr scaling → x += update);</li>
 *   <li>{@code adam-direction}: ScaleByAdam's update alone (the moment update and m̂/(√v̂+ε) in one
 *       pass, i.e. AdamKernel), to separate the kernel from the passes around it;</li>
 *   <li>{@code frugal}: FRUGAL's step with the blocks projector, ρ = 0.25 (25 of the 100 matrices
 *       under Adam, the other 75 under signSGD), Optimizer.step of the {@code frugal} rule.</li>
 * </ul>
 * The gradient buffers hold the step's output afterwards (the optimizer works in place; since
 * 2026-12-07 the direction before the learning-rate scale, which Optimizer.step folds into its add),
 * so each measured step transforms the previous one's; the bytes moved are the same as with a fresh
 * gradient, which is what this benchmark is about. (Before that change the buffers held −lr times
 * the direction, and Adam fed that back drifts into subnormal moments after a few hundred steps;
 * {@link OptimSignBench} restores a fresh gradient before every step instead.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OptimStepBench {
    public static final int MATRICES = 100, ROWS = 1000, COLS = 1000;

    @Param({"adam", "adam-direction", "frugal"})
    public String rule;
    @Param({"1", "2"})
    public int threads;

    Optimizer optimizer;
    GradientTransformation direction;
    List<dopt.tensor.Param> params;
    long step;

    /** The 100 M parameters with deterministic, cheaply generated values and gradients. */
    public static List<dopt.tensor.Param> params() { return params(MATRICES, ROWS, COLS); }

    /** {@code matrices} rows × cols matrices with deterministic, cheaply generated values and gradients. */
    static List<dopt.tensor.Param> params(int matrices, int rows, int cols) {
        List<dopt.tensor.Param> ps = new ArrayList<>();
        for (int i = 0; i < matrices; i++) {
            dopt.tensor.Param p = new dopt.tensor.Param("w" + i, dopt.tensor.Param.Role.MATRIX, rows, cols);
            float[] x = p.value(), g = p.grad();
            long h = 0x9E3779B97F4A7C15L * (i + 1);
            for (int j = 0; j < x.length; j++) {
                h = h * 6364136223846793005L + 1442695040888963407L;
                x[j] = ((h >>> 40) / (float) (1 << 24) - 0.5f) * 0.04f;
                g[j] = (((h >>> 16) & 0xFFFFFF) / (float) (1 << 24) - 0.5f) * 0.01f;
            }
            ps.add(p);
        }
        return ps;
    }

    public static Optimizer optimizer(String rule, List<dopt.tensor.Param> params) {
        Map<String, Object> hp = rule.equals("frugal") ? Map.of("projector", "blocks", "rho", 0.25) : Map.of();
        return new Optimizer(rule, NamedRules.build(rule, hp), Schedule.constant(1e-3), params, new StateTree());
    }

    @Setup
    public void setup() {
        warmUp(rule);
        params = params();
        if (rule.equals("adam-direction")) {
            direction = new ScaleByAdam(0.9, 0.999, 1e-8);
            direction.init(params, new StateTree(), "optim");
        } else {
            optimizer = optimizer(rule, params);
        }
        Dense.setThreads(threads);
    }

    /**
     * Steps the same rule on 100 tiny matrices a few thousand times first. At 100 M parameters a
     * step takes about a second, so JMH's warm-up would call update() only a few times: the rules'
     * loops would run in on-stack-replacement or profiling (C1) code, and FRUGAL's first C2
     * compilation, made while only the signSGD branch had been seen, is thrown away when the
     * first Adam block arrives (measured: several times slower). Training runs thousands of steps,
     * so the steady state is what is measured.
     */
    private static void warmUp(String rule) {
        List<dopt.tensor.Param> small = new ArrayList<>();
        for (int i = 0; i < MATRICES; i++) {
            dopt.tensor.Param p = new dopt.tensor.Param("w" + i, dopt.tensor.Param.Role.MATRIX, 16, 16);
            for (int j = 0; j < p.size(); j++) p.grad()[j] = ((i * 31 + j) % 17 - 8) * 1e-3f;
            small.add(p);
        }
        GradientTransformation adam = new ScaleByAdam(0.9, 0.999, 1e-8);
        adam.init(small, new StateTree(), "optim");
        Optimizer o = optimizer(rule.equals("adam-direction") ? "adam" : rule, small);
        for (long s = 1; s <= 3000; s++) {
            if (rule.equals("adam-direction")) adam.update(small, s);
            else o.step(s);
        }
    }

    @Benchmark
    public float step() {
        step++;
        if (direction != null) direction.update(params, step);
        else optimizer.step(step);
        return params.get(0).value()[0];
    }
}
