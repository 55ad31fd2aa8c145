package dopt.cli;

import dopt.backend.Backends;
import dopt.job.JobException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JCuda jars for {@code -Xbootclasspath/a:}. A JNI library loads once per JVM, and MPJ's
 * multicore ranks are threads of one JVM with a class loader each: with JCuda on the application
 * class path the second rank's {@code System.load} would fail. On the boot class path JCuda's
 * classes, and its native library, are loaded once and shared by every rank.
 */
final class JCudaJars {
    private JCudaJars() { }

    /** The jcuda jar and the natives jar next to it (target/lib/ in a build). */
    static List<Path> find() throws JobException {
        Path jar;
        try {
            // the class literal does not initialise the class: no native library is loaded here
            jar = Path.of(jcuda.driver.JCudaDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception | LinkageError e) {
            throw new JobException("the JCuda jar (org.jcuda:jcuda) is not on the class path: " + e);
        }
        List<Path> jars = new ArrayList<>(List.of(jar.toAbsolutePath()));
        // next to it (target/lib/ of a build), or in the Maven repository layout (…/jcuda-natives/<version>/)
        Path version = jar.getParent();
        Path mavenLayout = version.getParent() == null || version.getParent().getParent() == null ? version
                : version.getParent().getParent().resolve("jcuda-natives").resolve(version.getFileName());
        for (Path dir : new Path[] {version, mavenLayout}) {
            if (jars.size() > 1 || !Files.isDirectory(dir)) continue;
            try (var files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().startsWith("jcuda-natives-") && f.toString().endsWith(".jar"))
                        .sorted().forEach(f -> jars.add(f.toAbsolutePath()));
            } catch (java.io.IOException e) {
                throw new JobException("cannot list " + dir + " for the JCuda natives jar: " + e.getMessage());
            }
        }
        if (jars.size() < 2) throw new JobException("the JCuda natives jar (jcuda-natives-*.jar) is missing next to " + jar);
        return jars;
    }

    /**
     * {@code -Xbootclasspath/a:<jcuda jars>} for the rank JVMs. With {@code checkDevice} (backend
     * cuda) the GPU is opened here first, so that a machine without one fails before any rank starts.
     */
    static String bootClassPathOption(boolean checkDevice) throws JobException {
        if (checkDevice) {
            try (var probe = Backends.select("cuda", 0)) {
                probe.name();
            } catch (IllegalStateException e) {
                throw new JobException(e.getMessage());
            }
        }
        List<String> parts = new ArrayList<>();
        for (Path p : find()) parts.add(p.toString());
        return "-Xbootclasspath/a:" + String.join(File.pathSeparator, parts);
    }
}
