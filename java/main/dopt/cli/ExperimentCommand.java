package dopt.cli;

import dopt.experiments.Experiment;
import dopt.experiments.Experiments;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dopt experiment list|run NAME}: the in-process experiments that reproduce papers' claims. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Reproduce a paper's claim at our scale: a report (tables, plots, CSV) under benchmarks/results/.",
        subcommands = {ExperimentCommand.ListCmd.class, ExperimentCommand.RunCmd.class})
final class ExperimentCommand implements Callable<Integer> {

    @Override public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The experiments and the claim each tests.")
    static final class ListCmd implements Callable<Integer> {
        @Override public Integer call() {
            for (var e : Experiments.all().entrySet()) System.out.printf("%-24s %s%n", e.getKey(), e.getValue().get().claim());
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run one experiment over several seeds.")
    static final class RunCmd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "Experiment name (see 'dopt experiment list').")
        String name;
        @Option(names = "--seeds", description = "Number of seeds, 1..N (default: ${DEFAULT-VALUE}).", defaultValue = "3")
        int seeds;
        @Option(names = "--output", description = "Report folder (default: benchmarks/results/NAME-DATE).")
        Path output;
        @Option(names = "--quick", description = "Test-sized problems: checks that the experiment runs, not its claim.")
        boolean quick;

        @Override public Integer call() {
            Experiment e;
            try {
                e = Experiments.byName(name);
            } catch (IllegalArgumentException ex) {
                System.err.println("dopt: error: " + ex.getMessage());
                return 2;
            }
            if (seeds < 1) {
                System.err.println("dopt: error: --seeds must be at least 1, got " + seeds);
                return 2;
            }
            long[] s = new long[seeds];
            for (int i = 0; i < seeds; i++) s[i] = i + 1;
            Path out = output != null ? output : Main.repo().resolve("benchmarks/results/" + name + "-" + LocalDate.now());
            String command = "./dopt experiment run " + name + " --seeds " + seeds + (quick ? " --quick" : "");
            try {
                Path report = Experiments.run(e, s, out, quick, command);
                System.out.println("report: " + report);
                return 0;
            } catch (Exception ex) {
                System.err.println("dopt: error: experiment " + name + " failed: " + ex);
                return 1;
            }
        }
    }
}
