package dopt.backend;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Where nvcc exists (this machine, CI) the kernels must have been built and packaged: every
 * kernel file is a PTX and a fatbin resource, and every entry point CudaBackend launches is
 * defined in its PTX. A kernel that no longer compiles fails ./dopt setup; one whose entry point
 * was renamed fails here.
 */
class KernelResourcesTest {

    private static boolean nvccOnPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) return true;
        return false;
    }

    @Test
    void everyKernelIsOnTheClassPathWithItsEntryPoints() {
        Assumptions.assumeTrue(nvccOnPath(), "nvcc not on PATH: the CUDA kernels are not built on this machine");
        assertTrue(KernelImages.missing().isEmpty(), "kernels missing from the class path: " + KernelImages.missing()
                + " (build them with ./dopt setup, or cmake -S . -B target/cuda-build && cmake --build target/cuda-build, then mvn package)");
        for (Map.Entry<String, List<String>> e : KernelImages.ENTRY_POINTS.entrySet()) {
            byte[] ptx = KernelImages.resource(e.getKey(), "ptx");
            assertNotNull(ptx, e.getKey() + ".ptx");
            assertNotNull(KernelImages.resource(e.getKey(), "fatbin"), e.getKey() + ".fatbin");
            String text = new String(ptx, StandardCharsets.US_ASCII);
            for (String entry : e.getValue())
                assertTrue(text.contains(".entry " + entry + "("), "cuda/" + e.getKey() + ".ptx defines no kernel " + entry);
        }
    }

    @Test
    void theBuiltJarCarriesTheKernels() throws Exception {
        Assumptions.assumeTrue(nvccOnPath(), "nvcc not on PATH: the CUDA kernels are not built on this machine");
        Path jar = Path.of(System.getProperty("dopt.repo", "."), "target/dopt.jar");
        Assumptions.assumeTrue(Files.exists(jar), "no target/dopt.jar yet (mvn package builds it)");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (String file : KernelImages.ENTRY_POINTS.keySet())
                for (String ext : new String[] {"ptx", "fatbin"})
                    assertNotNull(zip.getEntry("cuda/" + file + "." + ext), jar + " lacks cuda/" + file + "." + ext);
        }
    }
}
