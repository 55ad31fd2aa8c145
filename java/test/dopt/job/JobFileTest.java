package dopt.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFileTest {
    @TempDir Path dir;

    private static String error(String json) {
        return assertThrows(JobException.class, () -> JobFile.parse(json, "t.json")).getMessage();
    }

    @Test
    void anEmptyObjectIsTheDefaultJob() throws Exception {
        Job j = JobFile.parse("{}", "t");
        assertEquals(300, j.steps);
        assertEquals(Job.OptimizerName.ADAM, j.optimizer.name);
        assertEquals(Job.DatasetName.MNIST_EMBEDDED, j.data.dataset);
    }

    @Test
    void fieldsAreReadWithTheirJsonNames() throws Exception {
        Job j = JobFile.parse("{\"data\": {\"batch_size\": 16, \"sharding\": \"dirichlet\", \"alpha\": 0.1},"
                + "\"optimizer\": {\"name\": \"sgd\", \"lr\": 0.1, \"weight_decay\": 0.01, \"schedule\": \"warmup_cosine\"},"
                + "\"comm\": {\"timeout_s\": 5}, \"verify_replicas\": true}", "t");
        assertEquals(16, j.data.batchSize);
        assertEquals(Job.ShardingKind.DIRICHLET, j.data.sharding);
        assertEquals(0.01, j.optimizer.weightDecay);
        assertEquals(Job.ScheduleKind.WARMUP_COSINE, j.optimizer.schedule);
        assertEquals(5, j.comm.timeoutS);
        assertTrue(j.verifyReplicas);
    }

    @Test
    void unknownFieldsAreNamedWithTheAllowedOnes() {
        String m = error("{\"data\": {\"batchsize\": 16}}");
        assertTrue(m.contains("unknown field 'data.batchsize'"), m);
        assertTrue(m.contains("batch_size") && m.contains("sharding"), m);
    }

    @Test
    void modelsAndDataSetsMustGoTogether() {
        String m = error("{\"model\": {\"type\": \"text-classifier\"}}");
        assertTrue(m.contains("text-classifier goes with the labelled text data set spam-assassin"), m);
        m = error("{\"model\": {\"type\": \"mlp\"}, \"data\": {\"dataset\": \"spam-assassin\"}}");
        assertTrue(m.contains("text-classifier goes with"), m);
        m = error("{\"model\": {\"type\": \"cnn\", \"norm\": \"layer\"}}");
        assertTrue(m.contains("'model.norm'") && m.contains("group, batch"), m);
    }

    @Test
    void enumValuesListTheAllowedOnes() {
        String m = error("{\"data\": {\"sharding\": \"random\"}}");
        assertTrue(m.contains("'data.sharding'") && m.contains("\"random\"") && m.contains("iid, dirichlet"), m);
    }

    @Test
    void wrongTypesAndRangesNameTheField() {
        assertTrue(error("{\"steps\": \"many\"}").contains("'steps'"));
        assertTrue(error("{\"steps\": 1.5}").contains("'steps'"));
        assertTrue(error("{\"steps\": 0}").contains("'steps' must be at least 1"));
        assertTrue(error("{\"optimizer\": {\"lr\": -1}}").contains("'optimizer.lr'"));
        assertTrue(error("{\"optimizer\": {\"beta2\": 1.0}}").contains("'optimizer.beta2'"));
        assertTrue(error("{\"model\": {\"hidden\": [0]}}").contains("'model.hidden'"));
        assertTrue(error("{\"checkpoint\": {\"keep\": 0}}").contains("'checkpoint.keep'"));
    }

    @Test
    void naturalDitheringAndPowerSgdAreReadWithTheirLevelsAndRank() throws Exception {
        Job nd = JobFile.parse("{\"comm\": {\"compressor\": \"natural-dithering\", \"levels\": 3}}", "t.json");
        assertEquals(Job.CompressorName.NATURAL_DITHERING, nd.comm.compressor);
        assertEquals(3, nd.comm.levels);
        Job ps = JobFile.parse("{\"comm\": {\"compressor\": \"powersgd\", \"rank\": 2, \"error_feedback\": \"ef14\"}}", "t.json");
        assertEquals(Job.CompressorName.POWERSGD, ps.comm.compressor);
        assertEquals(2, ps.comm.rank);
        assertTrue(error("{\"comm\": {\"compressor\": \"natural-dithering\", \"levels\": 40}}").contains("'comm.levels' for natural-dithering must be at most 32 (got 40)"));
        assertTrue(error("{\"comm\": {\"compressor\": \"powersgd\", \"rank\": 0}}").contains("'comm.rank' (PowerSGD's rank) must be at least 1 (got 0)"));
        String m = error("{\"comm\": {\"compressor\": \"powersgd\", \"error_feedback\": \"ef21\"}}");
        assertTrue(m.contains("'comm.error_feedback' for powersgd must be ef14"), m);
        assertTrue(error("{\"comm\": {\"compressor\": \"power-sgd\"}}").contains("natural-dithering, powersgd"));
    }

    @Test
    void malformedJsonSaysWhere() {
        String m = error("{\n \"steps\": 3,\n}");
        assertTrue(m.contains("not valid JSON") && m.contains("line 3"), m);
    }

    @Test
    void aJobFileWithoutANameIsNamedAfterTheFile() throws Exception {
        Path f = dir.resolve("my-sweep_1.json");
        Files.writeString(f, "{\"steps\": 3}");
        assertEquals("my-sweep_1", JobFile.read(f).name);
        assertTrue(assertThrows(JobException.class, () -> JobFile.read(dir.resolve("nope.json"))).getMessage().contains("does not exist"));
    }

    @Test
    void theJobRoundTripsThroughItsJson() throws Exception {
        Job j = JobFile.parse("{\"name\": \"x\", \"optimizer\": {\"name\": \"adamw\", \"weight_decay\": 0.1}}", "t");
        Job back = JobFile.parse(JobFile.toJson(j), "again");
        assertEquals(JobFile.toJson(j), JobFile.toJson(back));
        assertEquals(Job.OptimizerName.ADAMW, back.optimizer.name);
    }

    /** A field the chosen optimizer does not read is an error naming it, not a silent no-op. */
    @Test
    void optimizerFieldsWithoutEffectAreRefusedNamingTheField() {
        String m = error("{\"optimizer\": {\"name\": \"adamw\", \"rank\": 16}}");
        assertTrue(m.contains("'optimizer.rank' has no effect with optimizer adamw") && m.contains("reads: name, lr, clip, schedule, beta1"), m);
        assertTrue(error("{\"optimizer\": {\"name\": \"adamw\", \"rho\": 0.5}}").contains("'optimizer.rho' has no effect"));
        assertTrue(error("{\"optimizer\": {\"name\": \"adam\", \"momentum\": 0.5}}").contains("'optimizer.momentum'"));
        assertTrue(error("{\"optimizer\": {\"name\": \"signsgd\", \"weight_decay\": 0.1}}").contains("'optimizer.weight_decay'"));
        assertTrue(error("{\"optimizer\": {\"name\": \"adam\", \"eta\": 0.1}}").contains("'optimizer.eta'"));
        m = error("{\"optimizer\": {\"warmup_steps\": 10}}");
        assertTrue(m.contains("'optimizer.warmup_steps'") && m.contains("applies to schedule warmup_cosine"), m);
        m = error("{\"optimizer\": {\"name\": \"frugal\", \"projector\": \"svd\", \"order\": \"random\"}}");
        assertTrue(m.contains("'optimizer.order'") && m.contains("frugal's blocks projector"), m);
        m = error("{\"optimizer\": {\"name\": \"sgd\", \"momentum\": 0, \"nesterov\": true}}");
        assertTrue(m.contains("'optimizer.nesterov'") && m.contains("momentum > 0"), m);
    }

    @Test
    void commFieldsWithoutEffectAreRefusedNamingTheField() {
        String m = error("{\"comm\": {\"ratio\": 0.1}}");
        assertTrue(m.contains("'comm.ratio' has no effect with comm.compressor none") && m.contains("topk and randk"), m);
        assertTrue(error("{\"comm\": {\"compressor\": \"qsgd\", \"ratio\": 0.1}}").contains("'comm.ratio'"));
        assertTrue(error("{\"comm\": {\"compressor\": \"sign\", \"ratio\": 0.1}}").contains("'comm.ratio'"));
        assertTrue(error("{\"comm\": {\"compressor\": \"topk\", \"levels\": 4}}").contains("'comm.levels'"));
        assertTrue(error("{\"comm\": {\"compressor\": \"topk\", \"rank\": 4}}").contains("'comm.rank'"));
        m = error("{\"comm\": {\"average_preconditioner\": true}}");
        assertTrue(m.contains("'comm.average_preconditioner'") && m.contains("comm.local_steps > 1"), m);
    }

    @Test
    void fieldsAreAcceptedWhereTheyTakeEffect() throws Exception {
        JobFile.parse("{\"optimizer\": {\"name\": \"galore\", \"rank\": 16, \"scale\": 1, \"update_gap\": 5, \"eps\": 1e-6}}", "t");
        JobFile.parse("{\"optimizer\": {\"name\": \"frugal\", \"rho\": 0.5, \"order\": \"random\", \"inactive_lr_scale\": 0.1}}", "t");
        JobFile.parse("{\"optimizer\": {\"name\": \"sgd\", \"nesterov\": true, \"schedule\": \"warmup_cosine\", \"warmup_steps\": 5}}", "t");
        JobFile.parse("{\"comm\": {\"compressor\": \"randk\", \"ratio\": 0.1}}", "t");
        JobFile.parse("{\"comm\": {\"local_steps\": 2, \"average_preconditioner\": true}, \"steps\": 10, \"eval_every\": 10,"
                + " \"checkpoint\": {\"every\": 10}}", "t");
    }

    /** EF21 and its normalized variant need a contractive compressor; unbiased ones (unscaled) make them diverge. */
    @Test
    void ef21IsRefusedAroundUnbiasedCompressors() throws Exception {
        for (String c : List.of("\"randk\", \"ratio\": 0.1", "\"qsgd\", \"levels\": 4", "\"natural-dithering\""))
            for (String ef : List.of("ef21", "ef21_normalized")) {
                String m = error("{\"comm\": {\"compressor\": " + c + ", \"error_feedback\": \"" + ef + "\"}}");
                assertTrue(m.contains("'comm.error_feedback' " + ef + " needs a contractive compressor") && m.contains("topk, sign")
                        && m.contains("ef14 or none"), m);
            }
        for (String c : List.of("\"topk\"", "\"sign\""))
            JobFile.parse("{\"comm\": {\"compressor\": " + c + ", \"error_feedback\": \"ef21\"}}", "t");
        JobFile.parse("{\"comm\": {\"compressor\": \"randk\", \"error_feedback\": \"ef14\"}}", "t");
    }

    /** LoRA-SB's initial update is the first step of a warm-up; with a constant lr it would be a full sign step of size lr. */
    @Test
    void loraSbNeedsAWarmUp() throws Exception {
        String model = "\"model\": {\"type\": \"transformer\", \"preset\": \"tiny\", \"init_from\": \"pre.h5\", \"adapter\": {\"type\": \"lora-sb\"}},"
                + " \"data\": {\"dataset\": \"sotu\"}";
        String m = error("{" + model + ", \"optimizer\": {\"name\": \"adamw\", \"lr\": 0.01}}");
        assertTrue(m.contains("'model.adapter' lora-sb") && m.contains("'optimizer.schedule' warmup_cosine")
                && m.contains("'optimizer.warmup_steps' >= 1") && m.contains("got schedule constant"), m);
        JobFile.parse("{" + model + ", \"optimizer\": {\"name\": \"adamw\", \"lr\": 0.01, \"schedule\": \"warmup_cosine\", \"warmup_steps\": 20}}", "t");
    }

    /** The JSON a job is stored as keeps only the fields that take effect, so it parses back (launcher, checkpoints). */
    @Test
    void theStoredJsonLeavesOutFieldsWithoutEffect() throws Exception {
        String json = JobFile.toJson(JobFile.parse("{\"optimizer\": {\"name\": \"adamw\"}, \"comm\": {\"compressor\": \"topk\"}}", "t"));
        assertTrue(json.contains("\"weight_decay\"") && json.contains("\"ratio\"") && !json.contains("\"rank\"") && !json.contains("\"rho\"")
                && !json.contains("\"levels\""), json);
        assertEquals(json, JobFile.toJson(JobFile.parse(json, "stored")));
    }

    /** Every committed job file is accepted (the fields that had no effect were removed from them). */
    @Test
    void everyCommittedJobFileIsAccepted() throws Exception {
        try (var files = Files.walk(Path.of("jobs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json") && !p.startsWith(Path.of("jobs", "sweeps"))).toList())
                JobFile.read(f);
        }
    }

    private static String lm(String model) {
        return "{\"model\": {\"type\": \"transformer\", \"preset\": \"tiny\"" + model + "}, \"data\": {\"dataset\": \"sotu\"}}";
    }

    @Test
    void anAdapterJobIsReadWithItsFieldsAndRoundTrips() throws Exception {
        Job j = JobFile.parse(lm(", \"init_from\": \"runs/p/checkpoints/ckpt-001500.h5\", \"adapter\": {\"type\": \"lora-sb\", \"rank\": 8, "
                + "\"samples\": 64, \"targets\": [\"wq\", \"wv\", \"w2\"]}").replace("\"sotu\"", "\"sotu\", \"split\": \"recent\"")
                .replaceFirst("}$", ", \"optimizer\": {\"schedule\": \"warmup_cosine\", \"warmup_steps\": 20}}"), "t");
        assertEquals("runs/p/checkpoints/ckpt-001500.h5", j.model.initFrom);
        assertEquals(Job.AdapterType.LORA_SB, j.model.adapter.type);
        assertEquals(8, j.model.adapter.rank);
        assertEquals(64, j.model.adapter.samplesOrDefault());
        assertEquals(java.util.List.of(Job.AdapterTarget.WQ, Job.AdapterTarget.WV, Job.AdapterTarget.W2), j.model.adapter.targets);
        assertEquals(Job.TextSplit.RECENT, j.data.split);
        assertEquals(JobFile.toJson(j), JobFile.toJson(JobFile.parse(JobFile.toJson(j), "again")));
        Job lora = JobFile.parse(lm(", \"init_from\": \"p.h5\", \"adapter\": {\"type\": \"lora\", \"rank\": 4}"), "t");
        assertEquals(8.0, lora.model.adapter.alphaOrDefault(), "LoRA's alpha defaults to 2 rank");
        assertEquals(null, lora.model.adapter.targets, "no targets: every weight matrix");
    }

    @Test
    void badAdapterFieldsAreNamedWithTheAllowedValues() {
        String from = ", \"init_from\": \"p.h5\"";
        String m = error(lm(from + ", \"adapter\": {\"type\": \"dora\", \"rank\": 4}"));
        assertTrue(m.contains("'model.adapter.type'") && m.contains("\"dora\"") && m.contains("lora, lora-xs, lora-sb"), m);
        m = error(lm(from + ", \"adapter\": {\"rank\": 4}"));
        assertTrue(m.contains("'model.adapter.type' is missing; allowed values: lora, lora-xs, lora-sb"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora\", \"rank\": 0}"));
        assertTrue(m.contains("'model.adapter.rank' must be at least 1 (got 0)"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora\", \"rank\": 2.5}"));
        assertTrue(m.contains("'model.adapter.rank'"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora\", \"targets\": [\"wq\", \"attention\"]}"));
        assertTrue(m.contains("'model.adapter.targets[1]'") && m.contains("\"attention\"") && m.contains("wq, wk, wv, wo, w1, w2, w3"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora\", \"targets\": []}"));
        assertTrue(m.contains("'model.adapter.targets' must list weights to adapt; allowed values: wq, wk, wv, wo, w1, w2, w3"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora\", \"targets\": [\"wq\", \"wq\"]}"));
        assertTrue(m.contains("'model.adapter.targets' names a weight twice"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora-sb\", \"alpha\": 16}"));
        assertTrue(m.contains("'model.adapter.alpha' applies to lora only, not lora-sb"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora\", \"alpha\": -1}"));
        assertTrue(m.contains("'model.adapter.alpha' must be a positive number"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora-sb\", \"samples\": 0}"));
        assertTrue(m.contains("'model.adapter.samples' must be at least 1"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora\", \"scale\": 2}"));
        assertTrue(m.contains("'model.adapter.scale' applies to lora-xs only"), m);
        m = error(lm(from + ", \"adapter\": {\"type\": \"lora\", \"ranks\": 4}"));
        assertTrue(m.contains("unknown field 'model.adapter.ranks'") && m.contains("rank") && m.contains("targets"), m);
        m = error(lm(", \"adapter\": {\"type\": \"lora\"}"));
        assertTrue(m.contains("'model.adapter' needs 'model.init_from'"), m);
        m = error("{\"model\": {\"type\": \"cnn\", \"init_from\": \"p.h5\", \"adapter\": {\"type\": \"lora\"}}}");
        assertTrue(m.contains("'model.adapter' applies to model.type transformer or mlp (got cnn)"), m);
        m = error("{\"model\": {\"init_from\": \"p.h5\", \"adapter\": {\"type\": \"lora\", \"targets\": [\"wq\"]}}}");
        assertTrue(m.contains("'model.adapter.targets' names transformer weights"), m);
        m = error(lm(", \"init_from\": \"\""));
        assertTrue(m.contains("'model.init_from' must be the path of a dopt checkpoint"), m);
        m = error("{\"model\": {\"init\": \"zeros\", \"init_from\": \"p.h5\"}}");
        assertTrue(m.contains("'model.init' zeros and 'model.init_from' exclude each other"), m);
        m = error("{\"data\": {\"split\": \"recent\"}}");
        assertTrue(m.contains("'data.split' recent selects State of the Union addresses"), m);
        m = error(lm("").replace("\"sotu\"", "\"sotu\", \"split\": \"future\""));
        assertTrue(m.contains("'data.split'") && m.contains("time, recent"), m);
    }

    @Test
    void aBudgetAndTheSettingItChoosesAreNotBothWritten() {
        String m = error("{\"optimizer\": {\"name\": \"frugal\", \"rho\": 0.5, \"state_budget\": \"2MiB\"}}");
        assertTrue(m.contains("'optimizer.rho' and 'optimizer.state_budget' both set frugal's rho"), m);
        String c = error("{\"comm\": {\"compressor\": \"topk\", \"ratio\": 0.1, \"bytes_per_step\": \"10%\"}}");
        assertTrue(c.contains("'comm.ratio' and 'comm.bytes_per_step' both set topk's ratio"), c);
    }

    @Test
    void aStateBudgetIsReadOnlyByRulesWithASettingToChoose() {
        String m = error("{\"optimizer\": {\"name\": \"adam\", \"state_budget\": \"2MiB\"}}");
        assertTrue(m.contains("'optimizer.state_budget' has no effect with optimizer adam"), m);
        String b = error("{\"optimizer\": {\"name\": \"galore\", \"state_budget\": \"2 MB of RAM\"}}");
        assertTrue(b.contains("'optimizer.state_budget' must be bytes"), b);
    }

    @Test
    void aJobWithBudgetsRoundTripsThroughItsJson() throws Exception {
        Job j = JobFile.parse("{\"optimizer\": {\"name\": \"badam\", \"state_budget\": \"25%\"},"
                + " \"comm\": {\"compressor\": \"qsgd\", \"bytes_per_step\": \"1MiB\"}}", "t");
        Job back = JobFile.parse(JobFile.toJson(j), "again");
        assertEquals("25%", back.optimizer.stateBudget);
        assertEquals("1MiB", back.comm.bytesPerStep);
    }

    @Test
    void momentsAtARefreshAreReadWhereABasisIsRefreshed() throws Exception {
        assertEquals(Job.MomentsAtRefresh.PROJECT,
                JobFile.parse("{\"optimizer\": {\"name\": \"galore\", \"moments\": \"project\"}}", "t").optimizer.moments);
        String m = error("{\"optimizer\": {\"name\": \"frugal\", \"projector\": \"blocks\", \"moments\": \"keep\"}}");
        assertTrue(m.contains("'optimizer.moments' has no effect with optimizer frugal, projector blocks"), m);
    }

    @Test
    void budgetsAreRefusedWhereTheyWouldBudgetTheWrongThing() {
        String p = error("{\"model\": {\"hidden\": [32, 32]}, \"pipeline\": {\"stages\": 2}, \"comm\": {\"bytes_per_step\": \"1%\"}}");
        assertTrue(p.contains("pipeline stages send activations"), p);
        String s = error("{\"model\": {\"hidden\": [32, 32]}, \"pipeline\": {\"stages\": 2},"
                + " \"optimizer\": {\"name\": \"frugal\", \"state_budget\": \"25%\"}}");
        assertTrue(s.contains("'optimizer.state_budget' cannot be combined with 'pipeline' yet"), s);
    }
}
