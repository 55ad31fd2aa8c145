package dopt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.optim.Optimizer;
import dopt.random.Rng;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The typed builder from a job's optimizer section to the rule chain, shared by the pre-flight check and the ranks. */
class OptimizersTest {

    /** An MLP-like parameter list: two weight matrices, biases and a head. */
    static List<Param> params() {
        List<Param> ps = new ArrayList<>(List.of(new Param("fc1.weight", Param.Role.MATRIX, 16, 24), new Param("fc1.bias", Param.Role.BIAS, 16),
                new Param("fc2.weight", Param.Role.MATRIX, 12, 16), new Param("fc2.bias", Param.Role.BIAS, 12),
                new Param("head.weight", Param.Role.HEAD, 10, 12)));
        Rng rng = new Rng(5);
        for (Param p : ps) for (int j = 0; j < p.size(); j++) p.value()[j] = (float) (rng.nextGaussian() * 0.1);
        return ps;
    }

    static Job job(String optimizer) throws JobException {
        return JobFile.parse("{\"optimizer\": " + optimizer + ", \"steps\": 10}", "test");
    }

    /** Every optimizer (and every FRUGAL projector and state-free rule) the job schema accepts builds and steps. */
    @Test
    void everythingTheJobSchemaAcceptsBuildsAndSteps() throws Exception {
        List<String> sections = new ArrayList<>();
        for (Job.OptimizerName n : Job.OptimizerName.values())
            if (n != Job.OptimizerName.FRUGAL && n != Job.OptimizerName.GALORE) sections.add("{\"name\": \"" + n.id() + "\"}");
        sections.add("{\"name\": \"galore\", \"rank\": 4}");
        for (Job.Projector p : Job.Projector.values())
            for (Job.StateFree f : Job.StateFree.values())
                sections.add("{\"name\": \"frugal\", \"projector\": \"" + p.name().toLowerCase() + "\", \"state_free\": \""
                        + f.name().toLowerCase() + "\"}");
        for (String s : sections) {
            List<Param> ps = params();
            Optimizer o = Optimizers.build(job(s), ps, new StateTree(), "optim", null);
            for (Param p : ps) java.util.Arrays.fill(p.grad(), 0.01f);
            float[] before = ps.get(1).value().clone();
            o.step(1);
            assertTrue(ps.get(1).value()[0] != before[0], s + " moves fc1.bias");
            for (Param p : ps) for (float x : p.value()) assertTrue(Float.isFinite(x), s + " stays finite");
        }
    }

    /** RMSProp and KATE were listed as FRUGAL state-free rules, passed the job check and failed inside the ranks. */
    @Test
    void stateFreeRulesWithStateAreRefusedWhenTheJobIsRead() {
        for (String rule : List.of("rmsprop", "kate")) {
            JobException e = assertThrows(JobException.class, () -> job("{\"name\": \"frugal\", \"state_free\": \"" + rule + "\"}"));
            assertTrue(e.getMessage().contains("optimizer.state_free") && e.getMessage().contains("signsgd, sgd"), e.getMessage());
        }
    }

    /** The typed builder gives the optimizer the name the job used and the schedule's learning rate. */
    @Test
    void nameAndScheduleComeFromTheJob() throws Exception {
        Job j = JobFile.parse("{\"optimizer\": {\"name\": \"adamw\", \"lr\": 0.01, \"schedule\": \"warmup_cosine\", \"warmup_steps\": 4},"
                + " \"steps\": 20}", "t");
        Optimizer o = Optimizers.build(j, params(), new StateTree(), "optim", null);
        assertNotNull(o);
        assertEquals("adamw", o.name());
        assertEquals(0.01 / 4, o.lr(1), 1e-15, "first warm-up step");
    }

    /** GaLore at or above a matrix's smaller side projects onto the whole matrix and keeps more state than Adam. */
    @Test
    void galoreRankAtOrAboveAMatrixSideIsRefusedNamingTheLargestUsefulRank() throws Exception {
        JobException e = assertThrows(JobException.class,
                () -> Optimizers.build(job("{\"name\": \"galore\", \"rank\": 999}"), params(), new StateTree(), "optim", null));
        assertTrue(e.getMessage().contains("'optimizer.rank' 999") && e.getMessage().contains("12x16 matrix fc2.weight")
                && e.getMessage().contains("largest useful rank for this model is 11"), e.getMessage());
        assertThrows(JobException.class, () -> Optimizers.build(job("{\"name\": \"galore\", \"rank\": 12}"), params(), new StateTree(), "optim", null));
        Optimizers.build(job("{\"name\": \"galore\", \"rank\": 11}"), params(), new StateTree(), "optim", null);
    }

    /** Preconditioner averaging needs a rule with a preconditioner; SGD and signSGD have none. */
    @Test
    void averagingAPreconditionerThatDoesNotExistIsRefused() throws Exception {
        String local = ", \"comm\": {\"local_steps\": 2, \"average_preconditioner\": true}, \"eval_every\": 10, \"checkpoint\": {\"every\": 10}";
        for (String rule : List.of("sgd", "signsgd", "adagrad", "kate")) {
            Job j = JobFile.parse("{\"optimizer\": {\"name\": \"" + rule + "\"}, \"steps\": 10" + local + "}", rule);
            JobException e = assertThrows(JobException.class, () -> Optimizers.build(j, params(), new StateTree(), "optim", null));
            assertTrue(e.getMessage().contains("'comm.average_preconditioner'") && e.getMessage().contains("allowed with: adam, adamw"), e.getMessage());
        }
        for (String rule : List.of("adam", "rmsprop", "badam")) {
            Job j = JobFile.parse("{\"optimizer\": {\"name\": \"" + rule + "\"}, \"steps\": 10" + local + "}", rule);
            assertTrue(!Optimizers.build(j, params(), new StateTree(), "optim", null).preconditionerState().isEmpty(), rule);
        }
    }

    /** The launcher's pre-flight check builds the optimizer on the real model: the demo MLP's smallest matrix side is 512. */
    @Test
    void thePreflightCheckRefusesWhatTheModelMakesUseless() throws Exception {
        Job j = JobFile.parse("{\"optimizer\": {\"name\": \"galore\", \"rank\": 999}, \"data\": {\"batch_size\": 16}}", "galore");
        JobException e = assertThrows(JobException.class, () -> JobPlan.check(j, java.nio.file.Path.of("").toAbsolutePath(), 2));
        assertTrue(e.getMessage().contains("largest useful rank for this model is 511"), e.getMessage());
        JobPlan.check(JobFile.parse("{\"optimizer\": {\"name\": \"galore\", \"rank\": 64}, \"data\": {\"batch_size\": 16}}", "ok"),
                java.nio.file.Path.of("").toAbsolutePath(), 2);
    }

    /**
     * KATE with the job's default ε on the demo's MLP (784-512-512-10, real digits): with ε = 1e-8 the
     * first step was ~1/|g| per coordinate and the loss went from 2.3 to 3.1e6 at step 2; with the
     * authors' network setting it trains.
     */
    @Test
    void kateWithTheDefaultEpsTrainsTheDemoMlp() throws Exception {
        Job j = JobFile.parse("""
            {"name": "kate", "optimizer": {"name": "kate", "lr": 0.001}, "steps": 20, "seed": 1, "eval_every": 0,
             "checkpoint": {"every": 0, "keep": 1}}""", "kate");
        assertEquals(Job.OptimizerSpec.KATE_EPS, j.optimizer.epsOrDefault());
        java.nio.file.Path out = java.nio.file.Files.createTempDirectory("kate");
        Trainer t = new Trainer(j, new dopt.comm.LocalCommunicator(), out, java.nio.file.Path.of("").toAbsolutePath(),
                new java.io.PrintStream(new java.io.ByteArrayOutputStream()));
        dopt.io.RunSummary o = t.run();
        assertTrue(o.finalTrainLoss() < 2.3, "20 KATE steps lower the loss below ln 10 = 2.30: " + o.finalTrainLoss());
        assertTrue(o.testAccuracy() > 0.3, "and learn the digits (chance is 0.1): " + o.testAccuracy());
    }

    @Test
    void epsDefaultsPerRuleAndAWrittenOneWins() throws Exception {
        assertEquals(1e-8, job("{\"name\": \"adam\"}").optimizer.epsOrDefault());
        assertEquals(1e-8, job("{\"name\": \"rmsprop\"}").optimizer.epsOrDefault());
        assertEquals(0.0, job("{\"name\": \"kate\", \"eps\": 0}").optimizer.epsOrDefault());
        assertEquals(1e-3, job("{\"name\": \"kate\", \"eps\": null}").optimizer.epsOrDefault());
        assertTrue(JobFile.toJson(job("{\"name\": \"kate\"}")).contains("\"eps\" : 0.001"));
    }

    /**
     * jobs/sweeps/frugal-rho.json compares FRUGAL's memory budgets on the demo MLP: each ρ must keep
     * ρ of Adam's state on the matrices. When the blocks projector took round(ρ·#matrices) whole
     * matrices, ρ 0 and 0.125 kept the same state, and so did 0.25 and 0.5.
     */
    @Test
    void theFrugalRhoSweepKeepsRhoOfAdamsMatrixStateAtEachPoint() throws Exception {
        java.nio.file.Path repo = java.nio.file.Path.of("").toAbsolutePath();
        dopt.sweep.Sweep sweep = dopt.sweep.SweepFile.read(repo.resolve("jobs/sweeps/frugal-rho.json"), repo);
        java.util.Map<Double, Long> bytesByRho = new java.util.TreeMap<>();
        long matrixCoordinates = 0;
        for (dopt.sweep.Point point : dopt.sweep.Expansion.expand(sweep)) {
            Job j = JobFile.parse(point.job().toString(), point.id());
            List<Param> ps = new dopt.nn.Mlp(784, j.model.hidden.stream().mapToInt(Integer::intValue).toArray(), 10, 1).params();
            matrixCoordinates = 0;
            for (Param p : ps) if (dopt.optim.Partition.isMatrix(p)) matrixCoordinates += p.size();
            bytesByRho.put(j.optimizer.rho, Optimizers.build(j, ps, new StateTree(), "optim", null).stateBytes());
        }
        assertEquals(5, bytesByRho.size(), "five budgets: " + bytesByRho.keySet());
        long none = bytesByRho.get(0.0);
        for (java.util.Map.Entry<Double, Long> e : bytesByRho.entrySet())
            assertEquals(8L * Math.round(e.getKey() * matrixCoordinates), e.getValue() - none, "rho " + e.getKey() + ": Adam's two moments on rho of the matrices");
    }
}
