package dopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What the help texts and READMEs tell a user to run exists: every job or sweep file they name. */
class HelpTextTest {
    private static final Pattern JOB_FILE = Pattern.compile("jobs/[A-Za-z0-9_./-]+\\.json");

    /** The usage text of a command and of all its subcommands, as --help prints them. */
    private static void usages(CommandLine cmd, Map<String, String> out) {
        out.put(cmd.getCommandSpec().qualifiedName(" ") + " --help", cmd.getUsageMessage(CommandLine.Help.Ansi.OFF));
        for (CommandLine sub : cmd.getSubcommands().values()) usages(sub, out);
    }

    @Test
    void everyJobFileNamedInAHelpTextOrReadmeExists() throws Exception {
        Path repo = DoptProcess.repo();
        Map<String, String> texts = new TreeMap<>();
        usages(new CommandLine(new Main()), texts);
        texts.put("the ./dopt script", Files.readString(repo.resolve("dopt")));
        try (Stream<Path> files = Files.walk(repo)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("README.*\\.md"))
                    .filter(p -> !repo.relativize(p).toString().matches("(target|\\.deps|runs)/.*")).toList())
                texts.put(repo.relativize(f).toString(), Files.readString(f));
        }
        List<String> missing = new ArrayList<>();
        int named = 0;
        for (Map.Entry<String, String> t : texts.entrySet()) {
            Matcher m = JOB_FILE.matcher(t.getValue());
            while (m.find()) {
                named++;
                if (!Files.exists(repo.resolve(m.group()))) missing.add(m.group() + " (in " + t.getKey() + ")");
            }
        }
        assertFalse(named == 0, "the texts name job files: " + texts.keySet());
        assertEquals(List.of(), missing);
    }
}
