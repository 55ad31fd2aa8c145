package dopt.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code data.sharding: label_groups}, {@code data.label_groups} and {@code data.test_labels} in a job file. */
class JobLabelGroupsTest {

    private static String error(String data) {
        return assertThrows(JobException.class, () -> JobFile.parse("{\"data\": " + data + "}", "t.json")).getMessage();
    }

    @Test
    void groupsAndTestLabelsParseAndTheJobTextParsesBackToThem() throws Exception {
        Job j = JobFile.parse("""
            {"data": {"sharding": "label_groups", "label_groups": [{"labels": [0, 1, 2, 3, 4], "shards": 4},
             {"labels": [5, 6, 7, 8, 9], "shards": 12}], "test_labels": [0, 1, 2, 3, 4]}}""", "t.json");
        assertEquals(Job.ShardingKind.LABEL_GROUPS, j.data.sharding);
        assertEquals(12, j.data.labelGroups.get(1).shards);
        assertEquals(List.of(0, 1, 2, 3, 4), j.data.testLabels);
        assertEquals(JobFile.toJson(j), JobFile.toJson(JobFile.parse(JobFile.toJson(j), "back")));
    }

    @Test
    void malformedGroupsAreRefusedNamingTheField() {
        String[][] cases = {
            {"{\"sharding\": \"label_groups\"}", "needs 'data.label_groups'"},
            {"{\"label_groups\": [{\"labels\": [0], \"shards\": 1}]}", "'data.label_groups' has no effect with data.sharding iid"},
            {"{\"sharding\": \"label_groups\", \"label_groups\": [{\"labels\": [0, 1], \"shards\": 0}]}", "'data.label_groups[0].shards'"},
            {"{\"sharding\": \"label_groups\", \"label_groups\": [{\"labels\": [], \"shards\": 1}]}", "'data.label_groups[0].labels'"},
            {"{\"sharding\": \"label_groups\", \"label_groups\": [{\"labels\": [-1], \"shards\": 1}]}", "'data.label_groups[0].labels'"},
            {"{\"sharding\": \"label_groups\", \"label_groups\": [{\"labels\": [0, 1]}, {\"labels\": [1, 2]}]}",
                    "'data.label_groups[1].labels': label 1 is in an earlier group"},
            {"{\"sharding\": \"label_groups\", \"label_groups\": [{\"labels\": [0], \"parts\": 2}]}", "parts"},
            {"{\"test_labels\": [3, 3]}", "'data.test_labels' names a label twice"},
        };
        for (String[] c : cases) {
            String e = error(c[0]);
            assertTrue(e.contains(c[1]), c[0] + " -> " + e);
        }
    }
}
