package dopt.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code target/dopt.jar} as a user would, capturing its output (integration tests). */
public final class DoptProcess {
    public record Result(int exitCode, String output, double seconds) { }

    public static Path repo() { return Path.of(System.getProperty("dopt.repo", ".")).toAbsolutePath(); }

    public static Path mpjHome() { return repo().resolve("mpi/home"); }

    /** {@code java -jar target/dopt.jar args...} in {@code workDir}, killed after {@code timeoutSeconds}. */
    public static Result dopt(Path workDir, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-XX:+UseParallelGC", "-Ddopt.home=" + repo(), "-jar",
                repo().resolve("target/dopt.jar").toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, workDir, timeoutSeconds);
    }

    public static Result exec(List<String> cmd, Path workDir, long timeoutSeconds) throws IOException, InterruptedException {
        return exec(cmd, workDir, timeoutSeconds, java.util.Map.of());
    }

    /** As {@link #exec(List, Path, long)} with extra environment variables. */
    public static Result exec(List<String> cmd, Path workDir, long timeoutSeconds, java.util.Map<String, String> env)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("dopt-it", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MPJ_HOME", mpjHome().toString());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        System.out.println("---- " + String.join(" ", cmd) + "\n" + out);
        return new Result(done ? p.exitValue() : -1, out, (System.nanoTime() - t0) / 1e9);
    }

    public static String java() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    private DoptProcess() { }
}
