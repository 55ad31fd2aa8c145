package dopt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.data.Dataset;
import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Label groups and test labels against the real data: federated clients by label distribution on the MNIST slice. */
class JobPlanLabelGroupsTest {
    private static final Path REPO = Path.of("").toAbsolutePath();

    private static Job job(String groups, String extra) throws Exception {
        return JobFile.parse("""
            {"model": {"hidden": [8]}, "data": {"sharding": "label_groups", "label_groups": %s, "batch_size": 16 %s},
             "federated": {"clients": 8}}""".formatted(groups, extra), "t.json");
    }

    @Test
    void theTargetsGroupOfClientsSeesOnlyItsLabelsAndTheTestSetIsCutToThem() throws Exception {
        Job j = job("[{\"labels\": [0, 1, 2, 3, 4], \"shards\": 3}, {\"labels\": [5, 6, 7, 8, 9], \"shards\": 5}]",
                ", \"test_labels\": [0, 1, 2, 3, 4]");
        Dataset[] data = JobPlan.loadData(j, REPO);
        int[][] shards = JobPlan.checkClientShards(j, data[0], 4);
        for (int c = 0; c < 8; c++)
            for (int i : shards[c]) assertTrue(c < 3 == data[0].y()[i] < 5, "client " + c + " holds label " + data[0].y()[i]);
        Dataset test = JobPlan.testSet(j, data[1]);
        assertTrue(test.n() > 0 && test.n() < data[1].n(), "a part of the test set: " + test.n());
        for (int y : test.y()) assertTrue(y < 5, "test label " + y);
        JobPlan.check(j, REPO, 4);
    }

    @Test
    void shardsThatDoNotAddUpToTheClientsOrALabelBeyondTheClassesAreRefusedBeforeRanksStart() throws Exception {
        Job seven = job("[{\"labels\": [0, 1, 2, 3, 4], \"shards\": 3}, {\"labels\": [5, 6, 7, 8, 9], \"shards\": 4}]", "");
        String e = assertThrows(JobException.class, () -> JobPlan.check(seven, REPO, 4)).getMessage();
        assertTrue(e.contains("cut the data into 7 shards, but the job has 8 clients"), e);
        Job eleven = job("[{\"labels\": [0, 11], \"shards\": 8}]", "");
        e = assertThrows(JobException.class, () -> JobPlan.check(eleven, REPO, 4)).getMessage();
        assertTrue(e.contains("'data.label_groups[0].labels' holds 11, but the data set has classes 0..9"), e);
        Job test = job("[{\"labels\": [0], \"shards\": 8}]", ", \"test_labels\": [10]");
        e = assertThrows(JobException.class, () -> JobPlan.check(test, REPO, 4)).getMessage();
        assertTrue(e.contains("'data.test_labels' holds 10"), e);
    }
}
