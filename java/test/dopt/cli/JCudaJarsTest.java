package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.job.JobException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rank JVMs of a GPU job get JCuda on the boot class path (one native library per JVM, shared by multicore ranks). */
class JCudaJarsTest {

    @Test
    void findsTheJCudaJarAndItsNatives() throws JobException {
        List<Path> jars = JCudaJars.find();
        assertEquals(2, jars.size(), jars.toString());
        assertTrue(jars.get(0).getFileName().toString().startsWith("jcuda-"), jars.toString());
        assertTrue(jars.get(1).getFileName().toString().matches("jcuda-natives-.*linux-x86_64\\.jar"), jars.toString());
        for (Path p : jars) assertTrue(Files.isRegularFile(p), p.toString());
    }

    @Test
    void theOptionAppendsBothJarsToTheBootClassPath() throws JobException {
        String option = JCudaJars.bootClassPathOption(false);
        assertTrue(option.startsWith("-Xbootclasspath/a:"), option);
        for (Path p : JCudaJars.find()) assertTrue(option.contains(p.toString()), option);
    }

    @Test
    void backendCudaOnAMachineWithoutAGpuFailsBeforeAnyRankStarts() {
        boolean gpu;
        try (var b = dopt.backend.Backends.select("auto", 0)) {
            gpu = b.onDevice();
        }
        if (gpu) return;
        JobException e = assertThrows(JobException.class, () -> JCudaJars.bootClassPathOption(true));
        assertTrue(e.getMessage().startsWith("backend 'cuda' is not available: "), e.getMessage());
    }
}
