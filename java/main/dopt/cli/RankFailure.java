package dopt.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A rank's report that it failed, left in the output folder for the launcher: MPJ's exit code is
 * always 0 and the launcher does not see the ranks' exit codes (they are the starter's or a
 * daemon's children), so without it a stuck peer kept {@code dopt run} waiting with no end.
 */
final class RankFailure {
    static final String FILE = "_FAILED";

    private RankFailure() { }

    /** Appends "rank r: message" (one short line per failing rank); a folder that takes no write is reported elsewhere. */
    static void record(Path out, int rank, String message) {
        String m = message == null ? "(no message)" : message.replace('\n', ' ');
        String line = (m.startsWith("rank " + rank + ":") ? m : "rank " + rank + ": " + m) + "\n";
        try {
            Files.writeString(out.resolve(FILE), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the rank's own error line on stderr and in its log still says what happened
        }
    }

    /** The first report, if any rank has made one. */
    static Optional<String> read(Path out) {
        try {
            return Files.readAllLines(out.resolve(FILE)).stream().filter(l -> !l.isBlank()).findFirst();
        } catch (IOException none) {
            return Optional.empty();
        }
    }
}
