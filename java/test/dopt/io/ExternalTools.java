package dopt.io;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reference HDF5 readers (Debian hdf5-tools and python3-h5py) on our files. A missing tool
 * fails the test: these checks are the evidence that the files are standard HDF5, not an option.
 */
final class ExternalTools {
    static final String H5DUMP = "/usr/bin/h5dump";
    /** The system Python: Debian's python3-h5py is installed for it, not for pyenv interpreters. */
    static final String PYTHON = "/usr/bin/python3";
    private static final String SETUP = "; run the project setup (./dopt setup installs hdf5-tools and python3-h5py)";

    private ExternalTools() {}

    record Result(int exitCode, String output) {}

    static Result h5dump(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(H5DUMP));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Runs {@code script} with h5py available; {@code args} become sys.argv[1:]. */
    static Result python(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", script));
        cmd.addAll(List.of(args));
        Result r = run(cmd);
        if (r.exitCode() != 0 && r.output().contains("No module named 'h5py'"))
            fail("h5py is not installed for " + PYTHON + SETUP);
        return r;
    }

    private static Result run(List<String> cmd) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(cmd.get(0)))) fail(cmd.get(0) + " is missing" + SETUP);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
