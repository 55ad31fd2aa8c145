package dopt.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Inputs that an adversarial user tried ([RELY]): each used to be accepted, coerced or to end in a
 * NullPointerException; each is now one error that names the field.
 */
class JobFileStrictnessTest {

    private static String error(String json) {
        return assertThrows(JobException.class, () -> JobFile.parse(json, "t.json")).getMessage();
    }

    @Test
    void aNullEnumIsRefusedNamingTheField() {
        List<String[]> cases = List.of(
                new String[] {"{\"optimizer\": {\"name\": null}}", "optimizer.name"},
                new String[] {"{\"model\": {\"type\": null}}", "model.type"},
                new String[] {"{\"data\": {\"dataset\": null}}", "data.dataset"},
                new String[] {"{\"data\": {\"sharding\": null}}", "data.sharding"},
                new String[] {"{\"comm\": {\"compressor\": null}}", "comm.compressor"},
                new String[] {"{\"comm\": {\"error_feedback\": null}}", "comm.error_feedback"},
                new String[] {"{\"optimizer\": {\"schedule\": null}}", "optimizer.schedule"},
                new String[] {"{\"optimizer\": {\"name\": \"frugal\", \"projector\": null}}", "optimizer.projector"},
                new String[] {"{\"optimizer\": {\"name\": \"frugal\", \"state_free\": null}}", "optimizer.state_free"},
                new String[] {"{\"optimizer\": {\"name\": \"badam\", \"order\": null}}", "optimizer.order"},
                new String[] {"{\"backend\": null}", "backend"},
                new String[] {"{\"model\": {\"hidden\": null}}", "model.hidden"},
                new String[] {"{\"name\": null}", "name"});
        for (String[] c : cases) {
            String e = error(c[0]);
            assertTrue(e.contains("'" + c[1] + "'") && e.contains("null"), c[0] + " -> " + e);
        }
    }

    @Test
    void fieldsThatMeanDefaultWhenNullStillAcceptNull() throws Exception {
        // the job JSON that checkpoints and traces store writes these as null
        Job j = JobFile.parse("{\"output\": null, \"model\": {\"init_from\": null, \"adapter\": null}, \"optimizer\": {\"eps\": null}}", "t");
        assertNull(j.output);
        assertNull(j.model.initFrom);
        assertEquals(1e-8, j.optimizer.epsOrDefault());
        assertEquals(j.steps, JobFile.parse(JobFile.toJson(j), "round trip").steps);
    }

    @Test
    void stringsAreNotCoercedToNumbersOrBooleans() {
        for (String[] c : List.of(new String[] {"{\"steps\": \"4\"}", "steps"},
                new String[] {"{\"optimizer\": {\"lr\": \"0.001\"}}", "optimizer.lr"},
                new String[] {"{\"verify_replicas\": \"true\"}", "verify_replicas"},
                new String[] {"{\"verify_replicas\": 1}", "verify_replicas"},
                new String[] {"{\"name\": 5}", "name"},
                new String[] {"{\"optimizer\": {\"name\": 1}}", "optimizer.name"})) {
            String e = error(c[0]);
            assertTrue(e.contains("'" + c[1] + "'"), c[0] + " -> " + e);
        }
    }

    @Test
    void aKeyWrittenTwiceIsRefusedNotLastWins() {
        String e = error("{\"steps\": 10, \"seed\": 1, \"steps\": 20}");
        assertTrue(e.contains("'steps'") && e.contains("twice"), e);
        e = error("{\"optimizer\": {\"lr\": 0.1, \"lr\": 0.2}}");
        assertTrue(e.contains("'optimizer.lr'") && e.contains("twice"), e);
    }

    @Test
    void theCollectiveTimeoutMustBeInASaneRange() throws Exception {
        for (String t : List.of("1e-9", "0.001", "1e300", "1e6")) {
            String e = error("{\"comm\": {\"timeout_s\": " + t + "}}");
            assertTrue(e.contains("'comm.timeout_s'") && e.contains("0.1") && e.contains("86400"), t + " -> " + e);
        }
        // Jackson reads a bare Infinity only with a non-standard feature; the error still names the field
        assertTrue(error("{\"comm\": {\"timeout_s\": Infinity}}").contains("line 1"));
        assertEquals(0.1, JobFile.parse("{\"comm\": {\"timeout_s\": 0.1}}", "t").comm.timeoutS);
        assertEquals(86400, JobFile.parse("{\"comm\": {\"timeout_s\": 86400}}", "t").comm.timeoutS);
    }

    @Test
    void anEmptyOutputFolderIsRefused() {
        for (String o : List.of("\"\"", "\"  \"")) {
            String e = error("{\"output\": " + o + "}");
            assertTrue(e.contains("'output'"), e);
        }
    }

    @Test
    void aMatrixWiderThanAJavaArrayIsRefusedBeforeAnythingIsAllocated() {
        String e = error("{\"model\": {\"hidden\": [46341, 46341]}}");
        assertTrue(e.contains("'model.hidden'") && e.contains("2147488281"), e);
    }

    @Test
    void integersBeyondTheirTypeAreRefusedNotWrapped() {
        String e = error("{\"steps\": 4294967297}");
        assertTrue(e.contains("'steps'"), e);
    }
}
