package dopt.experiments;

import dopt.comm.Communicator;
import dopt.comm.InProcessCommunicator;
import dopt.data.DataSets;
import dopt.data.Dataset;
import dopt.data.Sharding;
import dopt.nn.Mlp;
import dopt.optim.Chain;
import dopt.optim.GradientTransformation;
import dopt.optim.Optimizer;
import dopt.optim.ScaleByAdam;
import dopt.optim.ScaleByLearningRate;
import dopt.optim.ScaleByOasis;
import dopt.optim.ScaleByRms;
import dopt.optim.Schedule;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import dopt.train.ExchangePolicy;
import dopt.train.LocalSteps;
import dopt.train.UpdateGuard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Local SGD with adaptive scaling (Chezhegov, Skorik, Khachaturov, Shalagin, Avetisyan, Takáč,
 * Kholodov, Beznosikov 2024, "Local methods with adaptive scaling"): n clients each take H local
 * steps x ← x − γ D⁻¹ g with their own diagonal preconditioner D (Adam, RMSProp or OASIS), then
 * the models are averaged (one communication round). Compared with plain Local SGD (D = I) at the
 * same H, and with synchronous Adam (H = 1, one round per step), by test accuracy against
 * communication rounds, on an MLP over real MNIST digits split iid over the clients (the paper
 * trains a neural network; its clients are simulated in one process, as here: each client is a
 * thread rank of an in-process group and trains through the engine's {@link LocalSteps}, the policy
 * {@code comm.local_steps} selects in a job).
 *
 * <p>Each method's step size is picked from a small grid by the mean final test loss over seeds,
 * the grid extended past a winning edge by up to two half-decades ({@link EdgeExtendedGrid}; stated
 * in the report). OASIS needs Hessian-vector products; they are forward differences of
 * the mini-batch gradient, (∇f(w + δz) − ∇f(w))/δ with δ = 1e-3 (one extra backward pass per step).
 */
public final class LocalScalingExperiment implements Experiment {
    private static final int CLIENTS = 4, LOCAL_STEPS = 8, BATCH = 32, EVAL_CHUNK = 500;
    private static final float DELTA = 1e-3f;
    /** How many half-decades a step-size grid may be extended past a winning edge ({@link EdgeExtendedGrid}). */
    static final int MAX_EXTENSIONS = 2;

    @Override public String name() { return "local-scaling"; }

    @Override
    public String claim() {
        return "Local SGD with Adam/RMSProp/OASIS scaling needs fewer communication rounds than plain Local SGD for the same "
                + "accuracy (Chezhegov et al. 2024, Local methods with adaptive scaling)";
    }

    private record Method(String name, int localSteps, double[] lrs, Function<Double, List<GradientTransformation>> rule,
                          boolean needsHessian) { }

    private static List<Method> methods() {
        return List.of(
                new Method("Local SGD", LOCAL_STEPS, new double[] {0.03, 0.1, 0.3}, lr -> List.of(), false),
                new Method("Local SGD + Adam scaling", LOCAL_STEPS, new double[] {3e-4, 1e-3, 3e-3},
                        lr -> List.of(new ScaleByAdam(0.9, 0.999, 1e-8)), false),
                new Method("Local SGD + RMSProp scaling", LOCAL_STEPS, new double[] {3e-4, 1e-3, 3e-3},
                        lr -> List.of(new ScaleByRms(0.99, 1e-8)), false),
                new Method("Local SGD + OASIS scaling", LOCAL_STEPS, new double[] {3e-3, 1e-2, 3e-2}, lr -> List.of(), true),
                new Method("Synchronous Adam (H = 1)", 1, new double[] {3e-4, 1e-3, 3e-3},
                        lr -> List.of(new ScaleByAdam(0.9, 0.999, 1e-8)), false));
    }

    /**
     * One client, played by one thread rank of an in-process group: its model copy, shard, optimizer
     * and batch buffers, and the engine's {@link LocalSteps}, which steps the optimizer on the
     * client's own gradients and averages the models over the clients every H steps (one
     * communication round; preconditioners stay local).
     */
    private static final class Client {
        final Mlp model;
        final int[] shard;
        final float[] x;
        final int[] y;
        final Rng rng;
        final float[][] saved, savedGrad;
        final ExchangePolicy policy;
        long step;

        Client(Method m, double lr, Dataset train, int hidden, long seed, Communicator comm) {
            int id = comm.rank();
            this.model = new Mlp(train.dim(), new int[] {hidden}, train.classes(), EVAL_CHUNK);
            model.init(Rng.derive(seed, 1)); // the same x⁰ on every client
            this.shard = Sharding.shard(train.y(), train.classes(), CLIENTS, id, "iid", 1.0, seed);
            this.x = new float[BATCH * train.dim()];
            this.y = new int[BATCH];
            this.rng = Rng.derive(seed, 3, id);
            List<Param> ps = model.params();
            saved = new float[ps.size()][];
            savedGrad = new float[ps.size()][];
            for (int i = 0; i < ps.size(); i++) {
                saved[i] = new float[ps.get(i).size()];
                savedGrad[i] = new float[ps.get(i).size()];
            }
            List<GradientTransformation> parts = new ArrayList<>(m.rule().apply(lr));
            if (m.needsHessian()) parts.add(new ScaleByOasis(0.99, 1e-2, this::hessianTimes, seed * 31 + id));
            parts.add(new ScaleByLearningRate(Schedule.constant(lr)));
            Optimizer optimizer = new Optimizer(m.name(), new Chain(parts.toArray(new GradientTransformation[0])),
                    Schedule.constant(lr), ps, new StateTree(), "client" + id);
            policy = new LocalSteps(ps, optimizer, comm, m.localSteps(), List.of());
        }

        /** Forward difference of the gradient on the current batch; parameters and gradients are restored. */
        private void hessianTimes(float[][] v, float[][] out) {
            List<Param> ps = model.params();
            for (int i = 0; i < ps.size(); i++) {
                float[] w = ps.get(i).value();
                System.arraycopy(w, 0, saved[i], 0, w.length);
                System.arraycopy(ps.get(i).grad(), 0, savedGrad[i], 0, w.length);
                for (int j = 0; j < w.length; j++) w[j] += DELTA * v[i][j];
            }
            model.forwardBackward(x, y, BATCH);
            for (int i = 0; i < ps.size(); i++) {
                float[] w = ps.get(i).value(), g = ps.get(i).grad(), h = out[i];
                for (int j = 0; j < w.length; j++) h[j] = (g[j] - savedGrad[i][j]) / DELTA;
                System.arraycopy(saved[i], 0, w, 0, w.length);
                System.arraycopy(savedGrad[i], 0, g, 0, w.length);
            }
        }

        /** One step on a batch of this client's shard; true when it ended a round (the models were averaged). */
        boolean localStep(Dataset train) {
            int dim = train.dim();
            for (int b = 0; b < BATCH; b++) {
                int s = shard[rng.nextInt(shard.length)];
                System.arraycopy(train.x(), s * dim, x, b * dim, dim);
                y[b] = train.y()[s];
            }
            float loss = model.forwardBackward(x, y, BATCH);
            return policy.step(++step, loss, false, UpdateGuard.NONE).agreed();
        }

        /**
         * {@code rounds} rounds of H local steps; client 0 evaluates the averaged model every
         * {@code evalEvery} rounds and tells the others whether to go on. Client 0 returns the curve.
         */
        Curve train(Method m, Dataset train, Dataset test, int rounds, int evalEvery, Communicator comm) {
            boolean first = comm.rank() == 0;
            int points = rounds / evalEvery;
            double[] r = new double[points], acc = new double[points], loss = new double[points];
            float[] stop = new float[1];
            for (int round = 1, k = 0; round <= rounds; round++) {
                boolean averaged = false;
                for (int h = 0; h < m.localSteps(); h++) averaged = localStep(train);
                if (!averaged) throw new IllegalStateException("round " + round + " did not end in an average");
                if (round % evalEvery != 0) continue;
                if (first) {
                    double[] e = evaluate(model, test);
                    r[k] = round;
                    acc[k] = e[0];
                    loss[k] = e[1];
                    k++;
                    if (!Double.isFinite(e[1])) { // diverged: the rest of the curve stays NaN-free but flagged
                        for (; k < points; k++) { r[k] = (k + 1) * evalEvery; acc[k] = e[0]; loss[k] = Double.POSITIVE_INFINITY; }
                        stop[0] = 1;
                    }
                }
                comm.broadcast(stop, 0, 1, 0);
                if (stop[0] != 0) break;
            }
            return first ? new Curve(r, acc, loss) : null;
        }
    }

    /** Test accuracy and loss after each evaluated round of one run. */
    private record Curve(double[] rounds, double[] accuracy, double[] loss) { }

    /** No rank waits this long for another unless something is broken (an evaluation of the full test set takes seconds). */
    private static final long RANK_TIMEOUT_MILLIS = 600_000;

    /** One run: the clients are thread ranks of an in-process group (bit-identical to a sequential simulation). */
    private static Curve train(Method m, double lr, Dataset train, Dataset test, int hidden, int rounds, int evalEvery, long seed) {
        try {
            return InProcessCommunicator.run(CLIENTS, RANK_TIMEOUT_MILLIS,
                    comm -> new Client(m, lr, train, hidden, seed, comm).train(m, train, test, rounds, evalEvery, comm)).get(0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(m.name() + " lr " + lr + ": " + e.getMessage(), e);
        }
    }

    private static double[] evaluate(Mlp model, Dataset test) {
        int dim = test.dim();
        float[] xb = new float[EVAL_CHUNK * dim];
        int[] yb = new int[EVAL_CHUNK];
        double correct = 0, loss = 0;
        for (int i = 0; i < test.n(); i += EVAL_CHUNK) {
            int b = Math.min(EVAL_CHUNK, test.n() - i);
            System.arraycopy(test.x(), i * dim, xb, 0, b * dim);
            System.arraycopy(test.y(), i, yb, 0, b);
            correct += model.countCorrect(xb, yb, b);
            loss += (double) model.loss(xb, yb, b) * b;
        }
        return new double[] {correct / test.n(), loss / test.n()};
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        boolean quick = run.quick();
        Dataset[] data = DataSets.load(quick ? "mnist-embedded" : "mnist", Path.of(System.getProperty("dopt.home", ".")));
        int hidden = quick ? 32 : 256, rounds = quick ? 4 : 60, evalEvery = quick ? 2 : 3;
        long[] seeds = run.seeds();
        Report report = run.report();
        report.heading("Set-up").paragraph(String.format(java.util.Locale.ROOT,
                "%s (%d train / %d test digits), MLP %d-%d-%d, %d clients with iid shards, batch %d per client, H = %d local steps "
                        + "per round (synchronous Adam: H = 1), %d rounds, test accuracy after every %d rounds. Preconditioners stay "
                        + "local (only models are averaged). OASIS: β₂ = 0.99, truncation α = 0.01, Hessian-vector products by forward "
                        + "differences (δ = 1e-3). Step size per method chosen from its starting grid (%s) by the mean final test loss "
                        + "over seeds (a step where any seed diverged is never picked); %s.",
                data[0].name(), data[0].n(), data[1].n(), data[0].dim(), hidden, data[0].classes(), CLIENTS, BATCH, LOCAL_STEPS, rounds,
                evalEvery, startingGrids(quick), EdgeExtendedGrid.rule(MAX_EXTENSIONS)));
        List<List<Object>> grid = new ArrayList<>(), best = new ArrayList<>();
        LinePlot accPlot = new LinePlot("Test accuracy vs communication rounds (mean over " + seeds.length + " seeds)",
                "communication rounds", "test accuracy", false, false);
        LinePlot lossPlot = new LinePlot("Test loss vs communication rounds (mean over " + seeds.length + " seeds)",
                "communication rounds", "test loss", false, true);
        List<String> atEdge = new ArrayList<>();
        for (Method m : methods()) {
            java.util.Map<Double, Curve[]> byLr = new java.util.HashMap<>();
            java.util.Map<Double, List<Object>> rowByLr = new java.util.HashMap<>();
            EdgeExtendedGrid.Outcome search = EdgeExtendedGrid.search(startingGrid(m, quick), MAX_EXTENSIONS, lr -> {
                Curve[] curves = new Curve[seeds.length];
                double[] finalLoss = new double[seeds.length], finalAcc = new double[seeds.length];
                for (int s = 0; s < seeds.length; s++) {
                    curves[s] = train(m, lr, data[0], data[1], hidden, rounds, evalEvery, seeds[s]);
                    finalLoss[s] = curves[s].loss()[curves[s].loss().length - 1];
                    finalAcc[s] = curves[s].accuracy()[curves[s].accuracy().length - 1];
                }
                double ml = Stats.mean(finalLoss);
                run.progress(String.format(java.util.Locale.ROOT, "%s lr %g: final test loss %.4f, accuracy %.4f", m.name(), lr, ml,
                        Stats.mean(finalAcc)));
                byLr.put(lr, curves);
                rowByLr.put(lr, List.of(m.name(), lr, ml, Stats.mean(finalAcc), Stats.std(finalAcc)));
                return ml;
            });
            for (double lr : search.scores().keySet()) {
                List<Object> row = new ArrayList<>(rowByLr.get(lr));
                row.add(search.isAdded(lr) ? "yes" : "no");
                grid.add(row);
            }
            // every step diverged: the smallest one tried (its row shows it), flagged below
            double bestLr = search.found() ? search.chosen() : search.scores().firstKey();
            Curve[] bestCurves = byLr.get(bestLr);
            boolean edge = search.atEdge() || !search.found();
            if (edge) atEdge.add(m.name() + ": " + search.describe());
            double[] rs = bestCurves[0].rounds(), meanAcc = new double[rs.length], meanLoss = new double[rs.length];
            for (int k = 0; k < rs.length; k++) {
                double[] a = new double[seeds.length], l = new double[seeds.length];
                for (int s = 0; s < seeds.length; s++) {
                    a[s] = bestCurves[s].accuracy()[k];
                    l[s] = bestCurves[s].loss()[k];
                }
                meanAcc[k] = Stats.mean(a);
                meanLoss[k] = Stats.mean(l);
            }
            double[] finalAcc = new double[seeds.length];
            for (int s = 0; s < seeds.length; s++) finalAcc[s] = bestCurves[s].accuracy()[rs.length - 1];
            String label = m.name() + " (lr " + Report.fmt(bestLr) + ")";
            accPlot.series(label, rs, meanAcc, true);
            lossPlot.series(label, rs, meanLoss, true);
            double top = quick ? 0.5 : 0.95;
            best.add(List.of(m.name(), bestLr, m.localSteps(), meanLoss[rs.length - 1], Stats.mean(finalAcc), Stats.std(finalAcc),
                    roundsTo(rs, meanAcc, quick ? 0.3 : 0.9), roundsTo(rs, meanAcc, top), edge ? "yes" : "no"));
        }
        String target = quick ? "0.3 / 0.5" : "0.90 / 0.95";
        report.heading("Result (best step size per method)").table("best.csv",
                List.of("method", "lr", "H", "final test loss", "final test accuracy", "± std", "rounds to acc " + target.split(" / ")[0],
                        "rounds to acc " + target.split(" / ")[1], "lr still at an edge"), best)
                .paragraph("Step sizes still at an edge of their extended grid (the best may lie further out): "
                        + (atEdge.isEmpty() ? "none." : String.join("; ", atEdge) + "."));
        report.plot("accuracy-vs-rounds.png", accPlot, "Mean test accuracy against communication rounds, best step size per method");
        report.plot("loss-vs-rounds.png", lossPlot, "Mean test loss against communication rounds, best step size per method");
        report.heading("Every step size").table("grid.csv", List.of("method", "lr", "mean final test loss", "mean final test accuracy",
                "± std", "added by extension"), grid);
        report.heading("Verdict").paragraph(verdict(best));
    }

    /** The grid a method's search starts from: its own, or in quick mode its middle value alone. */
    private static double[] startingGrid(Method m, boolean quick) {
        return quick ? new double[] {m.lrs()[1]} : m.lrs();
    }

    private static String startingGrids(boolean quick) {
        StringBuilder b = new StringBuilder();
        for (Method m : methods())
            b.append(b.length() == 0 ? "" : "; ").append(m.name()).append(' ').append(java.util.Arrays.toString(startingGrid(m, quick)));
        return b.toString();
    }

    /** The first evaluated round whose mean accuracy reaches {@code target}, or "not reached". */
    private static Object roundsTo(double[] rounds, double[] acc, double target) {
        for (int k = 0; k < rounds.length; k++) if (acc[k] >= target) return (int) rounds[k];
        return "not reached";
    }

    /** Compares rounds-to-target of the scaled local methods with plain Local SGD, from the table. */
    private static String verdict(List<List<Object>> best) {
        Object plain = best.get(0).get(7);
        StringBuilder sb = new StringBuilder("Rounds to the higher accuracy target: plain Local SGD " + plain);
        boolean held = true;
        for (int i = 1; i <= 3; i++) {
            Object r = best.get(i).get(7);
            sb.append("; ").append(best.get(i).get(0)).append(' ').append(r);
            held &= fewer(r, plain);
        }
        sb.append("; ").append(best.get(4).get(0)).append(' ').append(best.get(4).get(7)).append(". ");
        sb.append(held ? "The claim held here: every scaled local method reached the target in fewer rounds than plain Local SGD."
                : "The claim did not hold for every scaling here (see the table): at least one scaled method needed as many rounds as "
                        + "plain Local SGD or more.");
        return sb.toString();
    }

    private static boolean fewer(Object a, Object b) {
        if (a instanceof Integer x) return !(b instanceof Integer y) || x < y;
        return false;
    }
}
