package dopt.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The job field 'backend': cpu unless stated, so existing jobs run as before; unknown values list the allowed ones. */
class JobBackendTest {

    @Test
    void defaultsToCpuAndAcceptsCudaAndAuto() throws JobException {
        assertEquals(Job.BackendName.CPU, JobFile.parse("{}", "t.json").backend);
        assertEquals(Job.BackendName.CUDA, JobFile.parse("{\"backend\": \"cuda\"}", "t.json").backend);
        Job auto = JobFile.parse("{\"backend\": \"auto\"}", "t.json");
        assertEquals("auto", auto.backend.id());
        assertEquals(Job.BackendName.AUTO, JobFile.parse(JobFile.toJson(auto), "again").backend);
    }

    @Test
    void anUnknownBackendNamesTheAllowedValues() {
        String m = assertThrows(JobException.class, () -> JobFile.parse("{\"backend\": \"gpu\"}", "t.json")).getMessage();
        assertTrue(m.contains("field 'backend' has invalid value \"gpu\"; allowed values: cpu, cuda, auto"), m);
    }
}
