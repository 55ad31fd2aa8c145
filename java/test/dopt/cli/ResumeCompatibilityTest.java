package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dopt.job.Job;
import dopt.job.JobFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which changes of a job a resume accepts: how long, where and how carefully to run, nothing that changes a step. */
class ResumeCompatibilityTest {
    private static String json(String body) throws Exception { return JobFile.toJson(JobFile.parse(body, "t")); }

    @Test
    void changesToWhatAStepComputesAreEachNamed() throws Exception {
        String stored = json("{\"optimizer\": {\"name\": \"adam\", \"lr\": 0.001}, \"seed\": 1, \"model\": {\"hidden\": [64]}}");
        String changed = json("{\"optimizer\": {\"name\": \"adam\", \"lr\": 0.002}, \"seed\": 2, \"model\": {\"hidden\": [64, 64]}}");
        assertEquals(List.of("model.hidden [64] -> [64,64]", "optimizer.lr 0.001 -> 0.002", "seed 1 -> 2"),
                ResumeCompatibility.changes(stored, changed));
    }

    @Test
    void stepsOutputCheckpointsEvaluationTimeoutAndReplicaChecksMayChange() throws Exception {
        String stored = json("{\"steps\": 100}");
        Job j = JobFile.parse("{\"steps\": 300, \"output\": \"runs/x\", \"eval_every\": 7, \"checkpoint\": {\"every\": 5, \"keep\": 9},"
                + " \"comm\": {\"timeout_s\": 600}, \"verify_replicas\": true}", "t");
        assertEquals(List.of(), ResumeCompatibility.changes(stored, JobFile.toJson(j)));
    }

    @Test
    void anotherOptimizerNamesTheKeysThatAppearOrVanish() throws Exception {
        List<String> c = ResumeCompatibility.changes(json("{\"optimizer\": {\"name\": \"adam\"}}"),
                json("{\"optimizer\": {\"name\": \"sgd\", \"momentum\": 0.5}}"));
        assertEquals(true, c.contains("optimizer.name \"adam\" -> \"sgd\"") && c.contains("optimizer.momentum (not set) -> 0.5"), c.toString());
    }
}
