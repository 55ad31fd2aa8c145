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
}
