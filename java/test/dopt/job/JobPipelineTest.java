package dopt.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code pipeline} section of a job file: defaults, ranges and refusals name the field. */
class JobPipelineTest {

    private static String error(String json) {
        return assertThrows(JobException.class, () -> JobFile.parse(json, "t.json")).getMessage();
    }

    @Test
    void anEmptySectionIsTwoBalancedStagesOneMicroBatchGpipeOnDenseWires() throws Exception {
        Job j = JobFile.parse("{\"pipeline\": {}}", "t.json");
        assertEquals(2, j.pipeline.stages);
        assertNull(j.pipeline.cuts);
        assertEquals(1, j.pipeline.microBatches);
        assertEquals(Job.PipelineSchedule.GPIPE, j.pipeline.schedule);
        assertNull(j.pipeline.compressActivations);
        assertNull(j.pipeline.compressGradients);
        assertNull(JobFile.parse("{}", "t.json").pipeline, "no section: no pipeline");
    }

    @Test
    void theWrittenSectionParsesAndTheJobTextParsesBackToIt() throws Exception {
        Job j = JobFile.parse("""
            {"model": {"hidden": [64, 32, 16]}, "data": {"batch_size": 32},
             "pipeline": {"stages": 4, "cuts": [1, 2, 3], "micro_batches": 8, "schedule": "1f1b",
              "compress_activations": {"compressor": "topk", "ratio": 0.1, "error_feedback": "ef14"},
              "compress_gradients": {"ratio": 0.3}}}""", "t.json");
        assertEquals(List.of(1, 2, 3), j.pipeline.cuts);
        assertEquals(Job.PipelineSchedule.ONE_F_ONE_B, j.pipeline.schedule);
        assertEquals(Job.ErrorFeedbackName.EF14, j.pipeline.compressActivations.errorFeedback);
        assertEquals(Job.ErrorFeedbackName.NONE, j.pipeline.compressGradients.errorFeedback);
        assertEquals("topk(30.0%)", j.pipeline.compressGradients.describe());
        Job back = JobFile.parse(JobFile.toJson(j), "back");
        assertEquals(JobFile.toJson(j), JobFile.toJson(back));
    }

    @Test
    void rangesAndCutsAreCheckedNamingTheField() {
        assertTrue(error("{\"pipeline\": {\"stages\": 1}}").contains("'pipeline.stages' must be at least 2"));
        String m = error("{\"model\": {\"hidden\": [8]}, \"pipeline\": {\"stages\": 3}}");
        assertTrue(m.contains("'pipeline.stages' 3 exceeds the model's 2 layers"), m);
        m = error("{\"data\": {\"batch_size\": 64}, \"pipeline\": {\"micro_batches\": 5}}");
        assertTrue(m.contains("'pipeline.micro_batches' (5) must divide 'data.batch_size' (64)"), m);
        m = error("{\"model\": {\"hidden\": [8, 8]}, \"pipeline\": {\"stages\": 2, \"cuts\": [3]}}");
        assertTrue(m.contains("'pipeline.cuts' must list the first layer of stages 2..2") && m.contains("from 1 to 2"), m);
        m = error("{\"model\": {\"hidden\": [8, 8]}, \"pipeline\": {\"stages\": 3, \"cuts\": [2, 1]}}");
        assertTrue(m.contains("'pipeline.cuts'"), m);
        m = error("{\"pipeline\": {\"schedule\": \"pipedream\"}}");
        assertTrue(m.contains("'pipeline.schedule'") && m.contains("gpipe, 1f1b"), m);
        m = error("{\"pipeline\": {\"compress_gradients\": {\"compressor\": \"qsgd\"}}}");
        assertTrue(m.contains("'pipeline.compress_gradients.compressor' must be topk (got qsgd)"), m);
        m = error("{\"pipeline\": {\"compress_activations\": {\"ratio\": 0}}}");
        assertTrue(m.contains("'pipeline.compress_activations.ratio' must be in (0, 1]"), m);
        m = error("{\"pipeline\": {\"compress_activations\": {\"error_feedback\": \"ef21\"}}}");
        assertTrue(m.contains("'pipeline.compress_activations.error_feedback' must be none or ef14"), m);
        m = error("{\"pipeline\": {\"compress_activations\": {\"ratio\": 0.1, \"level\": 3}}}");
        assertTrue(m.contains("pipeline.compress_activations.level"), m);
    }

    @Test
    void whatItCannotBeCombinedWithIsRefused() {
        String m = error("{\"model\": {\"type\": \"cnn\"}, \"pipeline\": {}}");
        assertTrue(m.contains("'pipeline' cuts mlp models for now"), m);
        m = error("{\"comm\": {\"compressor\": \"topk\"}, \"pipeline\": {}}");
        assertTrue(m.contains("'pipeline' cannot be combined with 'comm.compressor'"), m);
        m = error("{\"optimizer\": {\"clip\": 1.0}, \"pipeline\": {}}");
        assertTrue(m.contains("'optimizer.clip' with 'pipeline'"), m);
        m = error("{\"verify_replicas\": true, \"pipeline\": {}}");
        assertTrue(m.contains("'verify_replicas' has no meaning with 'pipeline'"), m);
        m = error("{\"data\": {\"sharding\": \"dirichlet\"}, \"pipeline\": {}}");
        assertTrue(m.contains("'data.sharding' has no effect with 'pipeline'"), m);
        m = error("{\"federated\": {}, \"pipeline\": {}}");
        assertTrue(m.contains("'pipeline' cannot be combined with 'federated'"), m);
    }
}
